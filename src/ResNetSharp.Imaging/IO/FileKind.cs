using System.Runtime.InteropServices;

namespace ResNetSharp.IO;

/// <summary>What a path names, after following symbolic links.</summary>
public enum FileKind
{
    /// <summary>Nothing (or a link to nothing).</summary>
    Missing,
    /// <summary>A regular file: the only kind the readers open.</summary>
    Regular,
    /// <summary>A folder.</summary>
    Directory,
    /// <summary>A named pipe: opening it for reading waits for a writer, possibly forever.</summary>
    Fifo,
    /// <summary>A character device such as /dev/zero: endless or interactive data.</summary>
    CharacterDevice,
    /// <summary>A block device (a disk).</summary>
    BlockDevice,
    /// <summary>A Unix socket.</summary>
    Socket,
    /// <summary>A chain of symbolic links that never ends (ELOOP).</summary>
    LinkLoop,
    /// <summary>A path the system refuses to look at (permissions, a name too long).</summary>
    Inaccessible,
}

/// <summary>
/// A file's kind and identity (device and inode), from statx(2) on Linux. .NET does not tell a FIFO or a
/// device from a regular file, and opening a FIFO to find out blocks; statx answers without opening.
/// Elsewhere the answer comes from .NET's own checks (folders, files, missing).
/// </summary>
/// <param name="Kind">What the path names.</param>
/// <param name="Identity">Device and inode (Linux), or the full path; equal for two paths of the same file or folder.</param>
public readonly record struct FileProbe(FileKind Kind, string Identity)
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxTypeAndInode = 0x001 | 0x100; // STATX_TYPE | STATX_INO
    private const int NoSuchFile = 2, NotADirectory = 20, TooManyLinks = 40;

    private static bool _statxMissing = !OperatingSystem.IsLinux();

    static FileProbe()
    {
        // "libc" is looked up in the process's own symbols, so it works whatever the C library is called (glibc, musl).
        if (OperatingSystem.IsLinux())
            NativeLibrary.SetDllImportResolver(typeof(FileProbe).Assembly,
                (name, _, _) => name == "libc" ? NativeLibrary.GetMainProgramHandle() : IntPtr.Zero);
    }

    /// <summary>Looks at <paramref name="path"/>, following symbolic links.</summary>
    public static FileProbe Of(string path)
    {
        string full = Path.GetFullPath(path);
        if (!_statxMissing)
        {
            try
            {
                return OfLinux(full);
            }
            catch (EntryPointNotFoundException)
            {
                _statxMissing = true; // a C library older than glibc 2.28
            }
        }
        if (System.IO.Directory.Exists(full))
            return new FileProbe(FileKind.Directory, full);
        return new FileProbe(File.Exists(full) ? FileKind.Regular : FileKind.Missing, full);
    }

    private static FileProbe OfLinux(string full)
    {
        if (statx(AtCurrentDirectory, full, 0, StatxTypeAndInode, out var status) != 0)
        {
            var kind = Marshal.GetLastPInvokeError() switch
            {
                NoSuchFile or NotADirectory => FileKind.Missing,
                TooManyLinks => FileKind.LinkLoop,
                _ => FileKind.Inaccessible,
            };
            return new FileProbe(kind, full);
        }
        var type = (status.Mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Inaccessible,
        };
        return new FileProbe(type, $"{status.DeviceMajor}:{status.DeviceMinor}:{status.Inode}");
    }

    /// <summary>The fields of struct statx used here; the struct is 256 bytes with one layout on every Linux architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for the same call
    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);
#pragma warning restore SYSLIB1054

    /// <summary>How the kind reads in a message: "a named pipe (FIFO)", "a folder", ...</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.LinkLoop => "a loop of symbolic links",
        _ => "not accessible",
    };
}
