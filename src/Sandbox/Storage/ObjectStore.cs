using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ErieCanal.Orleans.Sandbox.Api;

namespace ErieCanal.Orleans.Sandbox.Storage;

/// <summary>
/// The etcd of one sandbox cluster: objects by storage key, namespace and name, one monotonic resourceVersion
/// counter, and a bounded event history that watches replay from. All writes are serialised by one lock so that
/// the history order is the commit order.
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<(string Ns, string Name), JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly LinkedList<StoreEvent> _history = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly int _historyLimit;
    private readonly TimeProvider _time;
    private long _revision;
    private long _compactedRevision;

    public ObjectStore(int historyLimit = 50_000, TimeProvider? time = null)
    {
        _historyLimit = historyLimit;
        _time = time ?? TimeProvider.System;
    }

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>Watches from a resourceVersion older than this answer 410 Gone.</summary>
    public long CompactedRevision
    {
        get
        {
            lock (_gate)
            {
                return _compactedRevision;
            }
        }
    }

    public JsonObject? Get(string storageKey, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(storageKey, out var bucket) && bucket.TryGetValue((ns, name), out var obj)
                ? JsonTree.Clone(obj)
                : null;
        }
    }

    /// <summary>A consistent snapshot of one resource (optionally one namespace), sorted by namespace and name.</summary>
    public (List<JsonObject> Items, long Revision) List(string storageKey, string? ns)
    {
        lock (_gate)
        {
            var items = new List<JsonObject>();
            if (_objects.TryGetValue(storageKey, out var bucket))
            {
                foreach (var (key, obj) in bucket)
                {
                    if (ns is null || key.Ns == ns)
                    {
                        items.Add(obj);
                    }
                }
            }

            // Stored objects are frozen and never mutated in place, so sharing them with readers is safe.
            return (items, _revision);
        }
    }

    public bool NamespaceHasObjects(string ns)
    {
        lock (_gate)
        {
            return _objects.Values.Any(bucket => bucket.Keys.Any(k => k.Ns == ns));
        }
    }

    public IReadOnlyList<string> StorageKeys()
    {
        lock (_gate)
        {
            return _objects.Keys.ToList();
        }
    }

    /// <summary>Creates an object, filling uid, creationTimestamp and resourceVersion; resolves generateName.</summary>
    public JsonObject Create(string storageKey, string ns, JsonObject obj, bool dryRun = false)
    {
        lock (_gate)
        {
            var bucket = Bucket(storageKey);
            var metadata = JsonTree.EnsureObject(obj, "metadata");
            var name = metadata["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                var prefix = metadata["generateName"]?.GetValue<string>() ?? "";
                do
                {
                    name = prefix + RandomSuffix(5);
                }
                while (bucket.ContainsKey((ns, name)));
                metadata["name"] = name;
            }

            if (bucket.ContainsKey((ns, name)))
            {
                var (group, resource) = SplitKey(storageKey);
                throw ApiException.AlreadyExists(group, resource, name);
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = FormatTime(_time.GetUtcNow());
            if (dryRun)
            {
                metadata["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture);
                return obj;
            }

            var rv = ++_revision;
            metadata["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            var frozen = JsonTree.Freeze(obj);
            bucket[(ns, name)] = frozen;
            Publish(new StoreEvent(rv, StoreEventType.Added, storageKey, ns, name, frozen, null));
            return JsonTree.Clone(frozen);
        }
    }

    /// <summary>
    /// Replaces an object with what <paramref name="mutate"/> makes of a private copy of it, under the store lock.
    /// A result equal to the current object is a no-op that keeps the resourceVersion, as on a real server.
    /// Returning null deletes the object (used when the last finalizer goes from a deleting object).
    /// </summary>
    public JsonObject Update(string storageKey, string ns, string name, Func<JsonObject, JsonObject?> mutate, bool dryRun = false)
    {
        lock (_gate)
        {
            var bucket = Bucket(storageKey);
            if (!bucket.TryGetValue((ns, name), out var current))
            {
                var (group, resource) = SplitKey(storageKey);
                throw ApiException.NotFound(group, resource, name);
            }

            var next = mutate(JsonTree.Clone(current));
            if (next is null)
            {
                return dryRun ? JsonTree.Clone(current) : RemoveLocked(storageKey, ns, name, bucket, current);
            }

            var metadata = JsonTree.EnsureObject(next, "metadata");
            metadata["name"] = name;
            metadata["uid"] = current["metadata"]?["uid"]?.DeepClone();
            metadata["creationTimestamp"] = current["metadata"]?["creationTimestamp"]?.DeepClone();
            metadata["resourceVersion"] = current["metadata"]?["resourceVersion"]?.DeepClone();
            if (JsonTree.DeepEquals(next, current) || dryRun)
            {
                return next;
            }

            var rv = ++_revision;
            metadata["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            var frozen = JsonTree.Freeze(next);
            bucket[(ns, name)] = frozen;
            Publish(new StoreEvent(rv, StoreEventType.Modified, storageKey, ns, name, frozen, current));
            return JsonTree.Clone(frozen);
        }
    }

    /// <summary>Removes an object now; returns the final state (with the deletion's resourceVersion).</summary>
    public JsonObject Remove(string storageKey, string ns, string name)
    {
        lock (_gate)
        {
            var bucket = Bucket(storageKey);
            if (!bucket.TryGetValue((ns, name), out var current))
            {
                var (group, resource) = SplitKey(storageKey);
                throw ApiException.NotFound(group, resource, name);
            }

            return RemoveLocked(storageKey, ns, name, bucket, current);
        }
    }

    /// <summary>Drops the whole history: every watch or continue token older than now answers 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedRevision = _revision;
        }
    }

    /// <summary>
    /// Registers a watcher. With <paramref name="fromRevision"/> the events after it are replayed first (410 when
    /// they were compacted away). <paramref name="storageKey"/> null watches everything (used by controllers).
    /// </summary>
    public WatchSubscription Subscribe(string? storageKey, string? ns, long? fromRevision, int capacity = 10_000)
    {
        lock (_gate)
        {
            if (fromRevision is { } from && from < _compactedRevision)
            {
                throw ApiException.Gone($"too old resource version: {from} ({_compactedRevision})");
            }

            var subscription = new WatchSubscription(this, storageKey, ns, capacity);
            if (fromRevision is { } start)
            {
                foreach (var e in _history)
                {
                    if (e.ResourceVersion > start && subscription.Matches(e))
                    {
                        subscription.Offer(e);
                    }
                }
            }

            _subscriptions.Add(subscription);
            return subscription;
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    /// <summary>Ends every open watch (the fault "drop all watches").</summary>
    public int CloseAllWatches(bool includeInternal = false)
    {
        lock (_gate)
        {
            var victims = _subscriptions.Where(s => includeInternal || s.StorageKey is not null).ToList();
            foreach (var s in victims)
            {
                s.Close(dropped: true);
                _subscriptions.Remove(s);
            }

            return victims.Count;
        }
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public DateTimeOffset Now => _time.GetUtcNow();

    private JsonObject RemoveLocked(string storageKey, string ns, string name, SortedDictionary<(string, string), JsonObject> bucket, JsonObject current)
    {
        bucket.Remove((ns, name));
        var rv = ++_revision;
        var final = JsonTree.Clone(current);
        JsonTree.EnsureObject(final, "metadata")["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        var frozen = JsonTree.Freeze(final);
        Publish(new StoreEvent(rv, StoreEventType.Deleted, storageKey, ns, name, frozen, current));
        return JsonTree.Clone(frozen);
    }

    /// <summary>
    /// Called under the store lock for every commit, before watchers see it. Handlers must be quick and must not
    /// write to the store (the CRD registrar uses it so a CRD's resource is served the moment the CRD is stored).
    /// </summary>
    public event Action<StoreEvent>? Committed;

    private void Publish(StoreEvent e)
    {
        Committed?.Invoke(e);
        _history.AddLast(e);
        while (_history.Count > _historyLimit)
        {
            _compactedRevision = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        for (var i = _subscriptions.Count - 1; i >= 0; i--)
        {
            var s = _subscriptions[i];
            if (s.Matches(e) && !s.Offer(e))
            {
                // A watcher that cannot keep up is closed, as a real server terminates slow watches.
                s.Close(dropped: true);
                _subscriptions.RemoveAt(i);
            }
        }
    }

    private SortedDictionary<(string Ns, string Name), JsonObject> Bucket(string storageKey)
    {
        if (!_objects.TryGetValue(storageKey, out var bucket))
        {
            bucket = new SortedDictionary<(string, string), JsonObject>();
            _objects[storageKey] = bucket;
        }

        return bucket;
    }

    private static (string Group, string Resource) SplitKey(string storageKey)
    {
        var dot = storageKey.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? ("", storageKey) : (storageKey[(dot + 1)..], storageKey[..dot]);
    }

    private static string RandomSuffix(int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(length, alphabet, (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[Random.Shared.Next(chars.Length)];
            }
        });
    }

    internal static string NewSuffix(int length) => RandomSuffix(length);
}

/// <summary>A watcher's queue of events from the store.</summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly ObjectStore _store;
    private readonly Channel<StoreEvent> _channel;

    internal WatchSubscription(ObjectStore store, string? storageKey, string? ns, int capacity)
    {
        _store = store;
        StorageKey = storageKey;
        Namespace = ns;
        _channel = Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public string? StorageKey { get; }

    public string? Namespace { get; }

    /// <summary>True once the store ended this watch (dropped by a fault or because it fell behind).</summary>
    public bool Dropped { get; private set; }

    public ChannelReader<StoreEvent> Reader => _channel.Reader;

    internal bool Matches(StoreEvent e) =>
        (StorageKey is null || StorageKey == e.StorageKey) && (Namespace is null || Namespace == e.Namespace);

    internal bool Offer(StoreEvent e) => _channel.Writer.TryWrite(e);

    internal void Close(bool dropped)
    {
        Dropped |= dropped;
        _channel.Writer.TryComplete();
    }

    public void Dispose()
    {
        _store.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}
