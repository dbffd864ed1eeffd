namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>
/// Several named sandbox clusters in one process, each on its own loopback port, plus the fault control API.
/// Tests use it in-process; <c>dotnet run --project src/Sandbox</c> wraps it in a command line.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly Dictionary<string, SandboxCluster> _clusters;
    private Control.ControlApi? _control;

    private SandboxHost(IEnumerable<SandboxCluster> clusters)
    {
        _clusters = clusters.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<SandboxCluster> Clusters => _clusters.Values.ToList();

    public SandboxCluster this[string name] => _clusters.TryGetValue(name, out var c) ? c : throw new KeyNotFoundException($"no sandbox cluster named '{name}'");

    /// <summary>The control API's base address, when it was started.</summary>
    public Uri? ControlUri => _control?.Uri;

    public static async Task<SandboxHost> StartAsync(IEnumerable<string> names, SandboxClusterOptions? options = null, int controlPort = -1, CancellationToken cancellationToken = default)
    {
        var list = names.ToList();
        if (list.Count == 0 || list.Distinct(StringComparer.Ordinal).Count() != list.Count)
        {
            throw new ArgumentException("cluster names must be given, each once", nameof(names));
        }

        foreach (var name in list)
        {
            Api.ObjectRules.ValidateName(Resources.BuiltinResources.All[0], name);
        }

        var host = new SandboxHost(list.Select((n, i) => new SandboxCluster(n, i, options)));
        try
        {
            foreach (var cluster in host._clusters.Values)
            {
                await cluster.StartAsync(0, cancellationToken);
            }

            if (controlPort >= 0)
            {
                host._control = await Control.ControlApi.StartAsync(host, controlPort, cancellationToken);
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Writes <c>&lt;cluster&gt;.kubeconfig</c> per cluster and a merged <c>kubeconfig</c> with a context each.</summary>
    public IReadOnlyDictionary<string, string> WriteKubeconfigs(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cluster in _clusters.Values)
        {
            var path = Path.GetFullPath(Path.Combine(directory, $"{cluster.Name}.kubeconfig"));
            File.WriteAllText(path, cluster.Kubeconfig());
            files[cluster.Name] = path;
        }

        var merged = Path.GetFullPath(Path.Combine(directory, "kubeconfig"));
        File.WriteAllText(merged, KubeconfigWriter.Write(Clusters, Clusters[0].Name));
        files[""] = merged;
        return files;
    }

    public async ValueTask DisposeAsync()
    {
        if (_control is not null)
        {
            await _control.DisposeAsync();
        }

        foreach (var cluster in _clusters.Values)
        {
            await cluster.DisposeAsync();
        }
    }
}
