using ResNetSharp.Cli;
using ResNetSharp.Tests.Cli;

namespace ResNetSharp.Tests.Reliability;

/// <summary>Every command refuses bad arguments with exit code 2 and one line that names the problem; no stack trace.</summary>
[Trait("Category", "Reliability")]
public class CommandLineTests
{
    public static TheoryData<string, string> BadCommandLines() => new()
    {
        { "summary --model resnet19", "resnet18" },
        { "summary --model resnet18 --spec x.json", "exactly one of --model" },
        { "summary --model resnet18 --input 3x0x5", "--input" },
        { "train --batch-size -1", "batch-size" },
        { "train --epochs 0", "epochs" },
        { "train --optimizer adamm", "adamm" },
        { "train --device gpu7", "--device" },
        { "train --config missing-config.json", "missing-config.json" },
        { "train --dataset no-such-dataset", "no-such-dataset" },
        { "finetune --dataset fashion-mnist", "--weights" },
        { "eval --model resnet18_cifar --weights missing.safetensors", "missing.safetensors" },
        { "predict --model resnet18 --weights missing.pth a.png", "missing.pth" },
        { "predict --onnx model.onnx --model resnet18 a.png", "drop --model" },
        { "predict --onnx missing.onnx a.png", "missing.onnx" },
        { "predict --weights . a.png", "is a folder without best.safetensors" },
        { "predict --model resnet18 --weights w.pth --top-k 0 a.png", "--top-k" },
        { "embed --model resnet18 --weights missing.pth -o f.npy images", "not found" },
        { "export --model resnet18 --weights w.pth --format zip -o m.zip", "zip" },
        { "bench --model resnet18 --batch-size 0", "--batch-size" },
        { "bench --model resnet18 --engine onnxruntime --mode train", "--engine onnxruntime" },
        { "bench --model resnet18 --precision fp8", "fp8" },
        { "frobnicate", "frobnicate" },
        { "predict --model resnet18 --weights w.pth --image-size -5 a.png", "--image-size must be from 1 to 8192; got -5" },
        { "predict --model resnet18 --weights w.pth --image-size 100000 a.png", "--image-size must be from 1 to 8192; got 100000" },
        { "predict --model resnet18 --weights w.pth --image-size 2147483647 a.png", "--image-size must be from 1 to 8192" },
        { "predict --onnx m.onnx --image-size 0 a.png", "--image-size must be from 1 to 8192; got 0" },
        { "summary --model resnet18 --num-classes 2147483647", "--num-classes must be from 0 to 1000000" },
        { "bench --model resnet18 --batch-size 100000000", "--batch-size 100000000" },
        { "bench --model resnet18 --input 3x60000x60000", "--input '3x60000x60000' is too large" },
        { "bench --model resnet18 --threads 100000", "--threads must be from 1 to" },
        { "summary --spec /dev/zero", "character device" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public void BadArgumentsExitWithCodeTwoAndOneClearLine(string commandLine, string expected)
    {
        using var folder = new TemporaryFolder();
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = folder.Path; // relative file names in the cases point at nothing
        try
        {
            var run = SummaryCommandTests.Run(commandLine.Split(' '));
            UsageErrors.AssertOneLine(run, "command line", commandLine.Split(' ')[0], $"`resnet {commandLine}`", "resnet: ", expected);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
