using System.Globalization;
using ErieCanal.Orleans.Embedded;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// ErieCanal.Orleans itself: the benchmarks' in-process silo against the environment's control plane, with the
/// production option defaults except RepairInterval; any ErieCanal__* environment variable overrides, to measure a
/// configuration (e.g. probe intervals).
/// </summary>
public sealed class SiloPipeline(EmbeddedEnvironment environment, BenchSettings settings) : IPropagationPipeline
{
    private InProcessSilo? _silo;

    public string Name => "ErieCanal.Orleans";

    /// <summary>The silo host's services (its grain factory, for the management grain), once started.</summary>
    public IServiceProvider Services => _silo?.Services ?? throw new InvalidOperationException("the silo has not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var repair = new Dictionary<string, string?> { ["ErieCanal:RepairInterval"] = settings.RepairInterval.ToString("c", CultureInfo.InvariantCulture) };
        _silo = await InProcessSilo.StartAsync(environment.ControlPlaneKubeconfig, repair, fromEnvironment: true, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}
