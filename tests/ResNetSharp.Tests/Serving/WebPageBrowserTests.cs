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

    [Fact]
    public async Task PickingAFileShowsTheTopClassesTheApiGivesAndABadFileShowsTheReason()
    {
        using var tiny = new TinyModel();
        using var model = OnnxClassifier.Open(tiny.Onnx);
        await using var server = ModelServer.Create(model, new BatchingOptions(), ServingOptions.Loopback(0));
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Url };
        using var content = new ByteArrayContent(File.ReadAllBytes(tiny.Images[1])) { Headers = { ContentType = new("image/jpeg") } };
        var expected = JsonDocument.Parse(await (await http.PostAsync("/v1/predict?k=5", content)).Content.ReadAsStringAsync())
            .RootElement.GetProperty("top").EnumerateArray().Select(t => t.GetProperty("label").GetString()).ToList();
        File.WriteAllText(tiny.Folder.File("notes.png"), "not really a PNG");

        using var browser = StartBrowser(tiny.Folder.File("chromium-profile"));
        browser.Navigate().GoToUrl(server.Url);
        var wait = new WebDriverWait(browser, TimeSpan.FromMinutes(1));
        wait.Until(b => b.FindElement(By.Id("model")).Text.Contains("tiny.onnx"));

        browser.FindElement(By.Id("file")).SendKeys(tiny.Images[1]);
        wait.Until(b => b.FindElement(By.TagName("body")).GetAttribute("data-state") is "done" or "error");
        Assert.Equal("done", browser.FindElement(By.TagName("body")).GetAttribute("data-state"));
        var rows = browser.FindElements(By.CssSelector("#top li"));
        Assert.Equal(expected, rows.Select(r => r.FindElement(By.CssSelector(".label")).Text));
        Assert.All(rows, r => Assert.Matches(@"^\d+\.\d%$", r.FindElement(By.CssSelector(".row span:last-child")).Text));
        Assert.Contains($"b.jpg: {expected[0]}", browser.FindElement(By.Id("status")).Text);

        browser.FindElement(By.Id("file")).SendKeys(tiny.Folder.File("notes.png"));
        wait.Until(b => b.FindElement(By.TagName("body")).GetAttribute("data-state") == "error");
        Assert.Contains("not an image", browser.FindElement(By.Id("status")).Text);
        Assert.Empty(browser.FindElements(By.CssSelector("#top li")));
    }
}
