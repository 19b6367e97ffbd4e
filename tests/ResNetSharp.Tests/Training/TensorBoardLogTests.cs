using System.Buffers.Binary;
using System.Globalization;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class TensorBoardLogTests
{
    /// <summary>Reads the (tag, step, value) scalars of TensorBoard event files (TFRecord framing: length, CRC, event, CRC).</summary>
    internal static List<(string Tag, long Step, float Value)> ReadScalars(string folder)
    {
        var scalars = new List<(string, long, float)>();
        foreach (var file in Directory.GetFiles(folder, "events.out.tfevents.*"))
        {
            var bytes = File.ReadAllBytes(file);
            for (int at = 0; at < bytes.Length;)
            {
                int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
                var record = Tensorboard.Event.Parser.ParseFrom(bytes, at + 12, length);
                if (record.Summary is { } summary)
                    scalars.AddRange(summary.Value.Select(v => (v.Tag, record.Step, v.SimpleValue)));
                at += 12 + length + 4;
            }
        }
        return scalars;
    }

    [Fact]
    public void EpochAndStepScalarsMatchTheCsvLog()
    {
        using var run = new TinyRun();
        string folder = run.RunFolder("tb");
        new Trainer(run.Config with { Schedule = run.Config.Schedule with { Epochs = 2 }, Optimization = run.Config.Optimization with { EmaDecay = 0.9 } }, folder, CPU, run.DataDir, new TrainingObserver()).Run(false, false, CancellationToken.None);

        var scalars = ReadScalars(new TensorBoardLog(folder).LogDir);
        var csvTop1 = File.ReadAllLines(Path.Combine(folder, "epochs.csv")).Skip(1)
            .Select(line => float.Parse(line.Split(',')[3], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(csvTop1, scalars.Where(s => s.Tag == "test/top1").Select(s => s.Value));
        Assert.Equal(new long[] { 6, 12 }, scalars.Where(s => s.Tag == "test/top1").Select(s => s.Step));
        Assert.Equal(12, scalars.Count(s => s.Tag == "train/loss"));
        Assert.Equal(2, scalars.Count(s => s.Tag == "ema/top1"));
        Assert.All(scalars.Where(s => s.Tag == "train/lr"), s => Assert.InRange(s.Value, 0f, 0.05f * 1.0001f));
    }
}
