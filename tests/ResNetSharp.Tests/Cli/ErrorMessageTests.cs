using System.Runtime.InteropServices;
using ResNetSharp.Cli;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Cli;

public class ErrorMessageTests
{
    [Fact]
    public void LibTorchErrorsLoseTheirCppStackTraceButKeepTheReason()
    {
        using var a = zeros(2, 3);
        var error = Assert.Throws<ExternalException>(() => a.reshape(7).Dispose());
        Assert.Contains("Exception raised from", error.Message);

        string shown = CliApp.WithoutNativeTrace(error.Message);

        Assert.DoesNotContain("Exception raised from", shown);
        Assert.DoesNotContain("frame #", shown);
        Assert.Contains("shape '[7]' is invalid for input of size 6", shown);
    }

    [Fact]
    public void AllocationFailuresLoseTheirFrameLinesToo()
    {
        // What libtorch's allocator throws: no "Exception raised from" line, just the frames.
        const string Message = "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 60211200000000 bytes. Error code 12 (Cannot allocate memory)\n" +
            "frame #0: c10::ThrowEnforceNotMet(char const*, int, char const*, std::string const&, void const*) + 0x68 (0x7fae in libc10.so)\n" +
            "frame #1: c10::alloc_cpu(unsigned long) + 0x358 (0x7fae in libc10.so)\n";
        Assert.Equal(Message[..Message.IndexOf('\n')], CliApp.WithoutNativeTrace(Message));
    }

    [Fact]
    public void OtherMessagesAreLeftAlone()
    {
        Assert.Equal("--batch-size must be at least 1.", CliApp.WithoutNativeTrace("--batch-size must be at least 1."));
    }
}
