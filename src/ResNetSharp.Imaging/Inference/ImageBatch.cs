namespace ResNetSharp.Inference;

/// <summary>Prepared (normalised) images in one float32 array laid out (count, channels, height, width).</summary>
public sealed record ImageBatch
{
    /// <summary>Checks that <paramref name="values"/> holds exactly count x channels x height x width values.</summary>
    public ImageBatch(float[] values, int count, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (count < 1 || channels < 1 || height < 1 || width < 1 || values.LongLength != (long)count * channels * height * width)
            throw new ArgumentException($"{values.LongLength} values do not make a ({count}, {channels}, {height}, {width}) batch.", nameof(values));
        Values = values;
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>The values, image after image.</summary>
    public float[] Values { get; }

    /// <summary>Images in the batch.</summary>
    public int Count { get; }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Rows per image.</summary>
    public int Height { get; }

    /// <summary>Columns per image.</summary>
    public int Width { get; }

    /// <summary><paramref name="count"/> images from image <paramref name="first"/> on (this batch itself when that is all of it).</summary>
    public ImageBatch Slice(int first, int count)
    {
        if (first < 0 || count < 1 || first + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"images {first} to {first + count - 1} are not in a batch of {Count}.");
        if (first == 0 && count == Count)
            return this;
        long sample = (long)Channels * Height * Width;
        return new ImageBatch(Values[(int)(first * sample)..(int)((first + count) * sample)], count, Channels, Height, Width);
    }

    /// <summary>One batch of <paramref name="images"/>, each (channels, height, width) values.</summary>
    public static ImageBatch Stack(IReadOnlyList<float[]> images, int channels, int height, int width)
    {
        int sample = channels * height * width;
        var values = new float[(long)images.Count * sample];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Length != sample)
                throw new ArgumentException($"image {i} has {images[i].Length} values; ({channels}, {height}, {width}) needs {sample}.", nameof(images));
            images[i].CopyTo(values, (long)i * sample);
        }
        return new ImageBatch(values, images.Count, channels, height, width);
    }
}
