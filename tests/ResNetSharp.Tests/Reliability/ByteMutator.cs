using System.Buffers.Binary;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Seeded mutations of a valid file, the kinds that find parser bugs: bit flips, bytes set to boundary
/// values, 32/64-bit fields overwritten with huge, negative or zero values, truncation, insertion,
/// deletion and duplicated chunks. The same seed always gives the same bytes.
/// </summary>
internal static class ByteMutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'{', (byte)'"', (byte)'.', (byte)'/'];
    private static readonly long[] InterestingIntegers = [0, -1, 1, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, 1L << 40, 100_000_001];

    public static byte[] Mutate(byte[] original, int seed)
    {
        var random = new Random(seed);
        var bytes = new List<byte>(original);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations && bytes.Count > 0; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 2:
                    WriteInteger(bytes, at, InterestingIntegers[random.Next(InterestingIntegers.Length)], random.Next(2) == 0 ? 4 : 8, random.Next(2) == 0);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256)));
                    break;
                case 5:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(64)));
                    break;
                case 6:
                    int length = Math.Min(bytes.Count - at, 1 + random.Next(256));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    bytes[at] = (byte)random.Next(256);
                    break;
            }
        }
        return bytes.ToArray();
    }

    private static void WriteInteger(List<byte> bytes, int at, long value, int size, bool bigEndian)
    {
        Span<byte> buffer = stackalloc byte[8];
        if (bigEndian)
            BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        else
            BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
        var field = bigEndian ? buffer[(8 - size)..] : buffer[..size];
        for (int i = 0; i < size && at + i < bytes.Count; i++)
            bytes[at + i] = field[i];
    }
}
