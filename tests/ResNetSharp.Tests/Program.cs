using ResNetSharp.Tests.Reliability;

namespace ResNetSharp.Tests;

/// <summary>
/// The test assembly also runs as a program, for the reliability sandbox's child processes
/// (<c>dotnet ResNetSharp.Tests.dll sandbox WORK JOBS.json</c>); test runners never call this.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => args is ["sandbox", .. var rest]
        ? ReaderSandbox.ChildMain(rest)
        : Usage();

    private static int Usage()
    {
        Console.Error.WriteLine("usage: dotnet ResNetSharp.Tests.dll sandbox WORK JOBS.json (run by ReaderSandbox)");
        return 2;
    }
}
