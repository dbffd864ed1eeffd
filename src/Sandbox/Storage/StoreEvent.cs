using System.Text.Json;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Storage;

public enum StoreEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>One committed change. <see cref="Object"/> and <see cref="Previous"/> are frozen: never mutate them.</summary>
public sealed class StoreEvent(long resourceVersion, StoreEventType type, string storageKey, string ns, string name, JsonObject obj, JsonObject? previous)
{
    private byte[]? _utf8;

    public long ResourceVersion { get; } = resourceVersion;

    public StoreEventType Type { get; } = type;

    public string StorageKey { get; } = storageKey;

    public string Namespace { get; } = ns;

    public string Name { get; } = name;

    public JsonObject Object { get; } = obj;

    public JsonObject? Previous { get; } = previous;

    /// <summary>The object serialized once and shared by every watcher that sends it unchanged.</summary>
    public byte[] ObjectUtf8 => _utf8 ??= JsonSerializer.SerializeToUtf8Bytes(Object, JsonWire.SerializerOptions);
}
