using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>Reads a request body as JSON or YAML, answering malformed or oversized input with a 4xx Status.</summary>
public static class RequestBody
{
    /// <summary>The API server's request size limit (3 MiB).</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    public static async Task<JsonNode?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw new ApiException(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
            {
                throw new ApiException(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
            }
        }

        if (buffer.Length == 0)
        {
            return null;
        }

        var mediaType = (request.ContentType ?? "application/json").Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == ProtobufBody.MediaType)
        {
            return ProtobufBody.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        try
        {
            return mediaType switch
            {
                "application/yaml" or "application/apply-patch+yaml" or "application/x-yaml" or "text/yaml" => ParseYaml(text),
                "application/json" or "application/merge-patch+json" or "application/json-patch+json"
                    or "application/strategic-merge-patch+json" or "application/apply-patch+json" or "*/*" => JsonNode.Parse(text),
                _ => throw ApiException.UnsupportedMediaType(mediaType),
            };
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the object provided is unrecognized or malformed JSON: {ex.Message}");
        }
        catch (YamlException ex)
        {
            throw ApiException.BadRequest($"the object provided is unrecognized or malformed YAML: {ex.Message}");
        }
    }

    /// <summary>
    /// JSON is YAML, and clients send JSON under YAML media types (KubernetesClient's server-side apply does): JSON is
    /// parsed as JSON, far cheaper than the YAML parser; anything else (block or flow style) as YAML.
    /// </summary>
    private static JsonNode? ParseYaml(string text)
    {
        if (text.AsSpan().TrimStart() is ['{' or '[', ..])
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // YAML flow style ({a: b}) is not JSON.
            }
        }

        return YamlJson.Parse(text);
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var node = await ReadAsync(request, cancellationToken);
        return node as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON or YAML object");
    }
}
