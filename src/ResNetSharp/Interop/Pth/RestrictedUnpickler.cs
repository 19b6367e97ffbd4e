using System.Buffers.Binary;
using System.Text;

namespace ResNetSharp.Interop.Pth;

/// <summary>
/// A pickle reader that implements only the opcodes a state dict needs and never imports or runs
/// anything: globals are checked against an allow-list the moment they are named, and calls are
/// delegated to the caller's <c>reduce</c>, which only knows the tensor-rebuild functions. Every object
/// pushed or put into a container counts against <c>maxObjects</c>, so a small pickle cannot grow a
/// list without bound. Every problem is an <see cref="InvalidDataException"/> naming the opcode and its byte offset.
/// </summary>
internal sealed class RestrictedUnpickler(
    byte[] data,
    Func<PickleGlobal, bool> isAllowed,
    Func<PickleGlobal, PickleTuple, object?> reduce,
    Func<object?, object?> persistentLoad,
    long maxObjects)
{
    private const int MaxDepth = 100_000;
    private const int MaxMemo = 10_000_000;

    private long _objects;

    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private int _opcodeStart;

    /// <summary>Runs the program to its STOP opcode and returns the object it built.</summary>
    public object? Load()
    {
        while (true)
        {
            _opcodeStart = _position;
            byte opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    byte protocol = ReadByte();
                    if (protocol > 5)
                        throw Problem($"pickle protocol {protocol} is newer than 5");
                    break;
                case 0x95: Skip(8); break; // FRAME: framing is only a read-ahead hint
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                        throw Problem($"STOP with {_stack.Count} objects on the stack");
                    return _stack[0];
                case (byte)'(': _marks.Add(_stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopToMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break; // BININT2
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break; // BININT
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break; // BINFLOAT
                case 0x8c: Push(ReadString(ReadByte())); break; // SHORT_BINUNICODE
                case (byte)'X': Push(ReadString(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break; // BINUNICODE
                case 0x8d: Push(ReadString(BinaryPrimitives.ReadUInt64LittleEndian(Read(8)))); break; // BINUNICODE8
                case (byte)'C': Push(Read(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': Push(Read(CheckedLength(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))).ToArray()); break; // BINBYTES
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(new PickleTuple([])); break; // EMPTY_TUPLE
                case (byte)'t': Push(new PickleTuple(PopToMark())); break; // TUPLE
                case 0x85: Push(new PickleTuple(PopMany(1))); break; // TUPLE1
                case 0x86: Push(new PickleTuple(PopMany(2))); break; // TUPLE2
                case 0x87: Push(new PickleTuple(PopMany(3))); break; // TUPLE3
                case (byte)'l': Push(PopToMark().ToList()); break; // LIST
                case (byte)'d': Push(DictFrom(PopToMark())); break; // DICT
                case (byte)'a': // APPEND
                    Count(1);
                    AsList(Peek(1)).Add(Pop());
                    break;
                case (byte)'e': // APPENDS
                    var items = PopToMark();
                    Count(items.Count);
                    AsList(Peek()).AddRange(items);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop();
                    var key = Pop();
                    SetItem(Peek(), key, value);
                    break;
                case (byte)'u': // SETITEMS
                    var pairs = PopToMark();
                    if (pairs.Count % 2 != 0)
                        throw Problem("SETITEMS with an odd number of items");
                    for (int i = 0; i < pairs.Count; i += 2)
                        SetItem(Peek(), pairs[i], pairs[i + 1]);
                    break;
                case (byte)'q': Memoize(ReadByte()); break; // BINPUT
                case (byte)'r': Memoize(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))); break; // LONG_BINPUT
                case 0x94: Memoize(_memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Recall(ReadByte())); break; // BINGET
                case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break; // LONG_BINGET
                case (byte)'c': Push(Global(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: // STACK_GLOBAL
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Problem("STACK_GLOBAL needs two strings");
                    Push(Global(m, n));
                    break;
                case (byte)'R': // REDUCE
                    var args = Pop();
                    var callable = Pop();
                    if (callable is not PickleGlobal function || args is not PickleTuple tuple)
                        throw Problem("REDUCE needs an allowed global and an argument tuple");
                    Push(reduce(function, tuple));
                    break;
                case (byte)'Q': Push(persistentLoad(Pop())); break; // BINPERSID
                case (byte)'b': // BUILD
                    var state = Pop();
                    // An OrderedDict state dict carries its `_metadata` (module versions) as state;
                    // nothing in it changes the tensors.
                    if (Peek() is not PickleDict || state is not (PickleDict or PickleTuple or null))
                        throw Problem("BUILD is only accepted on a dict");
                    break;
                default:
                    throw Problem($"opcode 0x{opcode:x2} is not allowed in a state dict");
            }
        }
    }

    private PickleGlobal Global(string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (!isAllowed(global))
            throw Problem($"refusing global '{global}': only the tensor-rebuild functions and storage types are allowed (as with torch.load(weights_only=True))");
        return global;
    }

    private void SetItem(object? target, object? key, object? value)
    {
        Count(1);
        if (target is not PickleDict dict)
            throw Problem("SETITEM on something that is not a dict");
        if (key is null || key is PickleDict || key is List<object?>)
            throw Problem("dict key is not a string or number");
        dict.Set(key, value);
    }

    private PickleDict DictFrom(List<object?> items)
    {
        if (items.Count % 2 != 0)
            throw Problem("DICT with an odd number of items");
        var dict = new PickleDict();
        for (int i = 0; i < items.Count; i += 2)
            SetItem(dict, items[i], items[i + 1]);
        return dict;
    }

    private List<object?> AsList(object? target) =>
        target as List<object?> ?? throw Problem("APPEND on something that is not a list");

    private void Memoize(long index)
    {
        if (_memo.Count >= MaxMemo)
            throw Problem("too many memo entries");
        _memo[index] = Peek();
    }

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Problem($"memo entry {index} was never stored");

    private void Count(long added)
    {
        _objects += added;
        if (_objects > maxObjects)
            throw Problem($"the pickle creates more than {maxObjects} objects; a state dict needs far fewer");
    }

    private void Push(object? value)
    {
        Count(1);
        if (_stack.Count >= MaxDepth)
            throw Problem("stack too deep");
        _stack.Add(value);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _stack.Count == _marks[^1]))
            throw Problem("stack underflow");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek(int depth = 0)
    {
        int index = _stack.Count - 1 - depth;
        if (index < 0 || (_marks.Count > 0 && index < _marks[^1]))
            throw Problem("stack underflow");
        return _stack[index];
    }

    private List<object?> PopMany(int count)
    {
        var items = new object?[count];
        for (int i = count - 1; i >= 0; i--)
            items[i] = Pop();
        return [.. items];
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0)
            throw Problem("no MARK to pop to");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private object ReadLong(int length)
    {
        if (length > 8)
            throw Problem($"integer of {length} bytes is too large");
        var bytes = Read(length);
        long value = 0;
        for (int i = length - 1; i >= 0; i--)
            value = (value << 8) | bytes[i];
        if (length is > 0 and < 8 && (bytes[length - 1] & 0x80) != 0)
            value -= 1L << (8 * length);
        return value;
    }

    private string ReadString(ulong length)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Read(CheckedLength(length)));
        }
        catch (DecoderFallbackException)
        {
            throw Problem("string is not valid UTF-8");
        }
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(data, (byte)'\n', _position);
        if (end < 0 || end - _position > 1000)
            throw Problem("GLOBAL name is not terminated");
        string line = Encoding.ASCII.GetString(data, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private int CheckedLength(ulong length) =>
        length <= (ulong)(data.Length - _position) ? (int)length : throw Problem($"length {length} runs past the end of the pickle");

    private byte ReadByte() => Read(1)[0];

    private ReadOnlySpan<byte> Read(int count)
    {
        if (count > data.Length - _position)
            throw Problem("pickle ends early");
        var span = data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private void Skip(int count) => Read(count);

    private InvalidDataException Problem(string what) => new($"{what} (pickle byte {_opcodeStart})");
}
