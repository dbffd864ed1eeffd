using ErieCanal.Orleans.Watchers.Informers;
using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.DataPlane.MemberView;

/// <summary>
/// The informers one data-plane component runs against its own member, and one signal that any of them changed.
/// Consumers rebuild their whole routing view on the signal: the views are small, and a rebuild from the caches
/// can never drift from what the member holds.
/// </summary>
public sealed class MemberInformers : IAsyncDisposable
{
    private readonly List<Func<bool>> _synced = [];
    private readonly List<Func<CancellationToken, Task>> _runs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ChangeSignal _changed = new();
    private readonly ILogger _logger;
    private readonly InformerOptions _options;
    private Task _running = Task.CompletedTask;

    public MemberInformers(InformerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>Every informer has delivered its first list.</summary>
    public bool Synced => _synced.All(s => s());

    public ChangeSignal Changed => _changed;

    /// <summary>Adds an informer; returns a reader of its cache.</summary>
    /// <param name="source">What it lists and watches.</param>
    /// <param name="optional">
    /// Its kind may not be installed (a CRD of another API group): it does not count for <see cref="Synced"/>, and its
    /// cache stays empty until it lists (the informer keeps retrying).
    /// </param>
    public Func<IReadOnlyCollection<T>> Add<T>(IResourceSource<T> source, bool optional = false)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var informer = new ResourceInformer<T>(source, new SignalHandler<T>(_changed), _options, _logger);
        if (!optional)
        {
            _synced.Add(() => informer.Synced);
        }

        _runs.Add(informer.RunAsync);
        return informer.Snapshot;
    }

    public void Start() => _running = Task.WhenAll(_runs.Select(r => Task.Run(() => r(_stop.Token))));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class SignalHandler<T>(ChangeSignal signal) : IInformerHandler<T>
    {
        public Task OnUpsertAsync(T obj, CancellationToken cancellationToken) => Raise();

        public Task OnDeleteAsync(T lastKnown, CancellationToken cancellationToken) => Raise();

        public Task OnSyncedAsync(CancellationToken cancellationToken) => Raise();

        private Task Raise()
        {
            signal.Raise();
            return Task.CompletedTask;
        }
    }
}
