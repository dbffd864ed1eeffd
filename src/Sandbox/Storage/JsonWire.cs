using System.Text.Encodings.Web;
using System.Text.Json;

namespace ErieCanal.Orleans.Sandbox.Storage;

/// <summary>How JSON goes on the wire: unescaped '+', '&lt;' and non-ASCII text, as a Go API server writes it.</summary>
public static class JsonWire
{
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonSerializerOptions SerializerOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
