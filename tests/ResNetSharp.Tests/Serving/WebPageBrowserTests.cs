using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using ResNetSharp.Inference;
using ResNetSharp.Serving;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// The page at "/" in Debian's headless Chromium (packages chromium and chromium-driver, installed by
/// .ci/run): a person picks a file and reads the top classes the page shows.
/// </summary>
public class WebPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    private static ChromeDriver StartBrowser(string profile)
    {
        Assert.True(File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"the browser test needs {Chromium} and {ChromeDriver}: apt-get install chromium chromium-driver (as .ci/run does)");
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromMinutes(1));
    }

    private static async Task<JsonElement> PredictWithTheApi(Uri server, string image, string contentType)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var content = new ByteArrayContent(File.ReadAllBytes(image)) { Headers = { ContentType = new(contentType) } };
        return JsonDocument.Parse(await (await http.PostAsync("/v1/predict?k=5", content)).Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>The page at <paramref name="server"/> once it shows the model card of <paramref name="model"/>.</summary>
    private static (ChromeDriver Browser, WebDriverWait Wait) OpenPage(Uri server, string profile, string model)
    {
        var browser = StartBrowser(profile);
        browser.Navigate().GoToUrl(server);
        var wait = new WebDriverWait(browser, TimeSpan.FromMinutes(1));
        wait.Until(b => b.FindElement(By.Id("model")).Text.Contains(model));
        return (browser, wait);
    }

    /// <summary>Picks <paramref name="path"/> in the page's file input and returns the page's state once it has the answer ("done" or "error").</summary>
    private static string PickFile(ChromeDriver browser, WebDriverWait wait, string path)
    {
        browser.FindElement(By.Id("file")).SendKeys(path);
        wait.Until(b => b.FindElement(By.TagName("body")).GetAttribute("data-state") is "done" or "error");
        return browser.FindElement(By.TagName("body")).GetAttribute("data-state")!;
    }

    [Fact]
    public async Task PickingAFileShowsTheTopClassesTheApiGivesAndABadFileShowsTheReason()
    {
        using var tiny = new TinyModel();
        using var model = OnnxClassifier.Open(tiny.Onnx);
        await using var server = ModelServer.Create(model, new BatchingOptions(), ServingOptions.Loopback(0));
        await server.StartAsync();
        var expected = (await PredictWithTheApi(server.Url, tiny.Images[1], "image/jpeg"))
            .GetProperty("top").EnumerateArray().Select(t => t.GetProperty("label").GetString()).ToList();
        File.WriteAllText(tiny.Folder.File("notes.png"), "not really a PNG");

        var (browser, wait) = OpenPage(server.Url, tiny.Folder.File("chromium-profile"), "tiny.onnx");
        using var _ = browser;
        Assert.Equal("done", PickFile(browser, wait, tiny.Images[1]));
        var rows = browser.FindElements(By.CssSelector("#top li"));
        Assert.Equal(expected, rows.Select(r => r.FindElement(By.CssSelector(".label")).Text));
        Assert.All(rows, r => Assert.Matches(@"^\d+\.\d%$", r.FindElement(By.CssSelector(".row span:last-child")).Text));
        Assert.Contains($"b.jpg: {expected[0]}", browser.FindElement(By.Id("status")).Text);
        Assert.False(browser.FindElement(By.Id("heads")).Displayed, "a plain classifier has no heads to list");

        Assert.Equal("error", PickFile(browser, wait, tiny.Folder.File("notes.png")));
        Assert.Contains("not an image", browser.FindElement(By.Id("status")).Text);
        Assert.Empty(browser.FindElements(By.CssSelector("#top li")));
    }

    [Fact]
    public async Task AModelWithHeadsShowsEveryHeadTheApiGives()
    {
        using var weights = new TwoHeadWeights();
        using var model = new TorchImageModel(ResNetSharp.Training.WeightsNetwork.Load(weights.Weights), TorchSharp.torch.CPU, "tiny-heads",
            ResNetSharp.Imaging.ImagePreprocessing.ForCrop(24));
        await using var server = ModelServer.Create(model, new BatchingOptions(), ServingOptions.Loopback(0));
        await server.StartAsync();
        var answer = await PredictWithTheApi(server.Url, weights.Images[0], "image/png");

        var (browser, wait) = OpenPage(server.Url, weights.Folder.File("chromium-profile"), "tiny-heads");
        using var _ = browser;
        Assert.Equal("done", PickFile(browser, wait, weights.Images[0]));
        var heads = browser.FindElements(By.CssSelector("#head-values li")).ToDictionary(h => h.GetAttribute("data-output")!, h => h.Text);
        Assert.Equal(["age", "gender"], heads.Keys);
        float age = float.Parse(heads["age"]["age: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        float expectedAge = answer.GetProperty("outputs").GetProperty("age")[0].GetSingle();
        Assert.True(Math.Abs(age - expectedAge) <= 5e-4 * Math.Abs(expectedAge), $"the page shows age {age}; the API gives {expectedAge} (4 significant digits)");
        Assert.StartsWith($"gender: {answer.GetProperty("top")[0].GetProperty("label").GetString()} (", heads["gender"]);
        Assert.Equal(TwoHeadWeights.Genders.Length, browser.FindElements(By.CssSelector("#top li")).Count);
    }
}
