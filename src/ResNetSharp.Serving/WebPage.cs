namespace ResNetSharp.Serving;

/// <summary>The page at "/": drop or pick an image, see its top-5 (and nearest indexed images); one static HTML file.</summary>
internal static class WebPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(WebPage).Assembly.GetManifestResourceStream("ResNetSharp.Serving.index.html")
            ?? throw new InvalidOperationException("the web page is missing from ResNetSharp.Serving's resources");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The page's HTML.</summary>
    public static string Content => Html.Value;
}
