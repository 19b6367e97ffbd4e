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
    public void OtherMessagesAreLeftAlone()
    {
        Assert.Equal("--batch-size must be at least 1.", CliApp.WithoutNativeTrace("--batch-size must be at least 1."));
    }
}
