using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ResNetSharp.Serving;

/// <summary>
/// Reads the encoded image of a request: the whole body when its content type is <c>image/*</c> or
/// <c>application/octet-stream</c>, or the multipart/form-data field named "image". The bytes are held in
/// memory (never in temporary files) and never more than the body limit.
/// </summary>
public static class ImageUpload
{
    /// <summary>The multipart field that carries the image.</summary>
    public const string FieldName = "image";

    /// <summary>The encoded image and a name for it in messages; a <see cref="RequestRejectedException"/> (413, 415, 400) when there is none to take.</summary>
    public static async Task<(byte[] Bytes, string Source)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellation)
    {
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType.Value is not { } mediaType)
            throw Unsupported(request.ContentType);
        if (IsImageType(mediaType))
            return (await ReadBoundedAsync(request.Body, maxBytes, cancellation), "request body");
        if (!mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw Unsupported(request.ContentType);

        string boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value
            ?? throw new RequestRejectedException(StatusCodes.Status400BadRequest, "the multipart/form-data body has no boundary.");
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = maxBytes };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellation) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, FieldName, StringComparison.Ordinal))
                    continue;
                if (section.ContentType is { } partType && MediaTypeHeaderValue.TryParse(partType, out var parsed)
                    && parsed.MediaType.Value is { } partMedia && !IsImageType(partMedia))
                    throw Unsupported(partType, $"the \"{FieldName}\" field");
                string file = HeaderUtilities.RemoveQuotes(disposition.FileName).Value is { Length: > 0 } name ? $"upload {name}" : $"field \"{FieldName}\"";
                return (await ReadBoundedAsync(section.Body, maxBytes, cancellation), file);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, $"the multipart/form-data body is malformed ({e.Message.TrimEnd('.')}).");
        }
        throw new RequestRejectedException(StatusCodes.Status400BadRequest, $"the multipart/form-data body has no field named \"{FieldName}\".");
    }

    private static bool IsImageType(string mediaType) =>
        mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]> ReadBoundedAsync(Stream body, long maxBytes, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellation)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                    throw TooLarge(maxBytes);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            throw e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBytes)
                : new RequestRejectedException(StatusCodes.Status400BadRequest, $"the request body is malformed ({e.Message.TrimEnd('.')}).");
        }
        catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxBytes);
        }
        return buffer.ToArray();
    }

    private static RequestRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"the request body is over the limit of {maxBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes.");

    private static RequestRejectedException Unsupported(string? contentType, string what = "the request body") =>
        new(StatusCodes.Status415UnsupportedMediaType,
            $"{what} is {(string.IsNullOrEmpty(contentType) ? "of no content type" : $"\"{contentType}\"")}; send the image as image/* or application/octet-stream, or as the multipart/form-data field \"{FieldName}\".");
}
