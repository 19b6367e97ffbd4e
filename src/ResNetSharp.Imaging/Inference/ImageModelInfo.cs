using ResNetSharp.Imaging;

namespace ResNetSharp.Inference;

/// <summary>What a caller needs to know to feed an image model and read its answers.</summary>
/// <param name="Name">The model's name (catalog name or file name), for messages and the model card.</param>
/// <param name="Engine">What runs it, e.g. "onnxruntime (cpu)" or "torchsharp (cuda:0)".</param>
/// <param name="InChannels">Input channels: 3 for RGB models, 1 for grayscale ones.</param>
/// <param name="Preprocessing">How an image becomes the model's input; its crop is the size images are prepared at.</param>
/// <param name="Outputs">Every output, in the model's order.</param>
public sealed record ImageModelInfo(string Name, string Engine, int InChannels, ImagePreprocessing Preprocessing, IReadOnlyList<ModelOutput> Outputs)
{
    /// <summary>What the model predicts: every output but the embedding (a plain classifier's logits, or one per head), in order.</summary>
    public IReadOnlyList<ModelOutput> HeadOutputs => Outputs.Where(o => o.Kind != OutputKind.Embedding).ToList();

    /// <summary>The first classification output (a plain classifier's logits, or the first classification head), or null when there is none.</summary>
    public ModelOutput? Classification => Outputs.FirstOrDefault(o => o.Kind == OutputKind.Classification);

    /// <summary>The embedding output, or null when the model gives none.</summary>
    public ModelOutput? Embedding => Outputs.FirstOrDefault(o => o.Kind == OutputKind.Embedding);

    /// <summary>The output called <paramref name="name"/>; an unknown name is an error listing the outputs there are.</summary>
    public ModelOutput Output(string name) =>
        Outputs.FirstOrDefault(o => o.Name == name)
        ?? throw new KeyNotFoundException($"{Name} has no output \"{name}\"; its outputs are {string.Join(", ", Outputs.Select(o => $"\"{o.Name}\""))}.");

    /// <summary>Values in one prepared image: <see cref="InChannels"/> x crop x crop.</summary>
    public int InputLength => InChannels * Preprocessing.CropTo * Preprocessing.CropTo;
}
