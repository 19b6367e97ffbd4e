using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Imaging;
using ResNetSharp.Interop;
using SkiaSharp;

namespace ResNetSharp.Tests.Data;

public class ImageFolderTests
{
    [Fact]
    public void DecoderReturnsThePixelsThatWereEncoded()
    {
        using var folder = new TemporaryFolder();
        string path = TestImages.Write(folder.File("a.png"), 5, 3, seed: 1);
        var image = ImageDecoder.Decode(path);
        Assert.Equal((3, 5), (image.Height, image.Width));
        // Red grows with x, green with y (lossless PNG).
        Assert.Equal(4 * 255 / 5, image.Rgb[(0 * 5 + 4) * 3]);
        Assert.Equal(2 * 255 / 3, image.Rgb[(2 * 5 + 0) * 3 + 1]);
    }

    [Fact]
    public void EvalPreprocessingMatchesTorchvisionWithinOneLevel()
    {
        using var folder = new TemporaryFolder();
        string path = TestImages.Write(folder.File("photo.png"), 301, 217, seed: 2);
        ReferencePython.Run("eval_preprocess.py", path, "64", "56", folder.File("expected.safetensors"));
        var (expected, _) = SafetensorsFile.Load(folder.File("expected.safetensors"));
        using var ours = new ImagePreprocessing(64, 56, ImagePreprocessing.ImageNetMean, ImagePreprocessing.ImageNetStd)
            .ResizeAndCrop(ImageDecoder.Decode(path)).ToTensor();
        var reference = expected.Single().Tensor;
        Assert.Equal(reference.shape, ours.shape);
        using var difference = (ours.to(TorchSharp.torch.ScalarType.Int32) - reference.to(TorchSharp.torch.ScalarType.Int32)).abs();
        Assert.True(difference.max().item<int>() <= 1, $"max difference {difference.max().item<int>()}");
    }

    [Fact]
    public void FolderLoadsWithSortedClassNamesAndLabels()
    {
        using var folder = new TemporaryFolder();
        TestImages.Write(folder.File("train/zebra/1.png"), 40, 30, 1);
        TestImages.Write(folder.File("train/cat/a.jpg"), 30, 40, 2, SKEncodedImageFormat.Jpeg);
        TestImages.Write(folder.File("train/cat/b.png"), 32, 32, 3);
        File.WriteAllText(folder.File("train/cat/readme.txt"), "not an image");
        using var data = DatasetCatalog.Load(folder.Path, DatasetSplit.Train, folderOptions: new ImageFolderOptions(ImageSize: 24));
        Assert.Equal(["cat", "zebra"], data.ClassNames);
        Assert.Equal(new long[] { 3, 3, 24, 24 }, data.Images.shape);
        Assert.Equal(new long[] { 0, 0, 1 }, data.Labels.data<long>().ToArray());
    }

    [Fact]
    public void ValidationClassesAreMatchedToTrainingClassesByName()
    {
        using var folder = new TemporaryFolder();
        foreach (var name in new[] { "ant", "bee", "cat" })
            TestImages.Write(folder.File($"train/{name}/1.png"), 20, 20, name.Length);
        // val/ lacks "ant": by position "bee" would get label 0 (ant's) and "cat" label 1 (bee's).
        TestImages.Write(folder.File("val/bee/1.png"), 20, 20, 4);
        TestImages.Write(folder.File("val/cat/1.png"), 20, 20, 5);
        using var data = DatasetCatalog.Load(folder.Path, DatasetSplit.Test, folderOptions: new ImageFolderOptions(ImageSize: 16));
        Assert.Equal(["ant", "bee", "cat"], data.ClassNames);
        Assert.Equal(new long[] { 1, 2 }, data.Labels.data<long>().ToArray());
        var streamed = DatasetCatalog.ScanImageFolder(folder.Path, DatasetSplit.Test);
        Assert.Equal([1, 2], streamed.Samples.Select(s => s.Label));

        TestImages.Write(folder.File("val/dog/1.png"), 20, 20, 6);
        var error = Assert.Throws<InvalidDataException>(() => DatasetCatalog.Load(folder.Path, DatasetSplit.Test).Dispose());
        Assert.Contains("class 'dog' is not one of the 3 training classes (ant, bee, cat)", error.Message);
        Assert.Contains(Path.Combine("val", "dog"), error.Message);
    }

    [Fact]
    public void BadImagesFailByNameOrAreSkippedAndListed()
    {
        using var folder = new TemporaryFolder();
        TestImages.Write(folder.File("cls/good.png"), 16, 16, 1);
        File.WriteAllBytes(folder.File("cls/broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var truncated = File.ReadAllBytes(TestImages.Write(folder.File("cls/whole.jpg"), 64, 64, 2, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(folder.File("cls/truncated.jpg"), truncated[..(truncated.Length / 2)]);
        File.Delete(folder.File("cls/whole.jpg"));

        var error = Assert.Throws<ImageDecodeException>(() =>
            ImageFolderDataset.Load(folder.Path, ImagePreprocessing.ForCrop(8), BadImagePolicy.Fail, out _));
        Assert.Contains("broken.png", error.Message);

        using var data = ImageFolderDataset.Load(folder.Path, ImagePreprocessing.ForCrop(8), BadImagePolicy.Skip, out var skipped);
        Assert.Equal(1, data.Count);
        Assert.Equal(["broken.png", "truncated.jpg"], skipped.Select(s => Path.GetFileName(s.Path)).Order());
    }

    [Fact]
    public void EmptyClassFolderAndOversizedImagesAreNamed()
    {
        using var folder = new TemporaryFolder();
        TestImages.Write(folder.File("a/1.png"), 8, 8, 1);
        Directory.CreateDirectory(folder.File("b"));
        var error = Assert.Throws<InvalidDataException>(() => ImageFolderIndex.Scan(folder.Path));
        Assert.Contains(Path.Combine(folder.Path, "b"), error.Message);
        Assert.Contains("empty class folder", error.Message);

        string big = TestImages.Write(folder.File("big.png"), 100, 100, 1);
        var refused = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(big, maxPixels: 5000));
        Assert.Contains("100x100", refused.Message);
    }

    [Fact]
    public void StreamKeepsInputOrderAcrossParallelWorkers()
    {
        using var folder = new TemporaryFolder();
        var paths = Enumerable.Range(0, 11).Select(i => TestImages.Write(folder.File($"{i:D2}.png"), 10 + i, 12, i)).ToList();
        var stream = new ImageBatchStream(paths, ImagePreprocessing.ForCrop(8), batchSize: 4, workers: 3);
        var seen = new List<string>();
        foreach (var batch in stream.Batches())
        {
            using (batch.Pixels)
            {
                Assert.Equal(batch.Paths.Count, (int)batch.Pixels.shape[0]);
                seen.AddRange(batch.Paths);
                // Row order: each row's red channel reflects its own image width.
                for (int row = 0; row < batch.Paths.Count; row++)
                {
                    var alone = ImagePreprocessing.ForCrop(8).ResizeAndCrop(ImageDecoder.Decode(batch.Paths[row])).ToTensor();
                    Assert.True(alone.eq(batch.Pixels[row]).all().item<bool>());
                }
            }
        }
        Assert.Equal(paths, seen);
    }
}
