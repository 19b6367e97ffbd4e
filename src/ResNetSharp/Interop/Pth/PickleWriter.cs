using System.Buffers.Binary;
using System.Text;

namespace ResNetSharp.Interop.Pth;

/// <summary>Emits the few pickle (protocol 2) opcodes a state dict needs.</summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _buffer = new();

    public PickleWriter() => _buffer.Write([0x80, 2]); // PROTO 2

    public byte[] Finish()
    {
        _buffer.WriteByte((byte)'.'); // STOP
        return _buffer.ToArray();
    }

    public void Global(string module, string name) => Ascii($"c{module}\n{name}\n");

    public void Mark() => _buffer.WriteByte((byte)'(');

    public void Tuple() => _buffer.WriteByte((byte)'t');

    public void EmptyTuple() => _buffer.WriteByte((byte)')');

    public void Reduce() => _buffer.WriteByte((byte)'R');

    public void SetItems() => _buffer.WriteByte((byte)'u');

    public void PersistentId() => _buffer.WriteByte((byte)'Q');

    public void False() => _buffer.WriteByte(0x89);

    public void String(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
        _buffer.WriteByte((byte)'X'); // BINUNICODE
        _buffer.Write(length);
        _buffer.Write(utf8);
    }

    public void Int(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)value);
            _buffer.WriteByte((byte)'J'); // BININT
            _buffer.Write(bytes[..4]);
            return;
        }
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        _buffer.Write([0x8a, 8]); // LONG1, 8 bytes
        _buffer.Write(bytes);
    }

    public void IntTuple(IEnumerable<long> values)
    {
        Mark();
        foreach (long value in values)
            Int(value);
        Tuple();
    }

    /// <summary>collections.OrderedDict()</summary>
    public void EmptyOrderedDict()
    {
        Global("collections", "OrderedDict");
        EmptyTuple();
        Reduce();
    }

    private void Ascii(string text) => _buffer.Write(Encoding.ASCII.GetBytes(text));
}
