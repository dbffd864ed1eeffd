using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.Mcs;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Mcs;

/// <summary>The silo's MCS import engines: one per member while its writer grain is active, a new one after a deactivation.</summary>
public sealed class McsImportEnginesTests
{
    [Fact]
    public async Task One_engine_per_member_until_deactivated()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions());
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        await using var engines = new McsImportEngines(new MemberClients(credentials, options), options, TimeProvider.System, NullLoggerFactory.Instance);

        var first = engines.Activate("r/z/g/m1");
        Assert.Same(first, engines.Activate("r/z/g/m1"));
        Assert.NotSame(first, engines.Activate("r/z/g/m2"));

        // Nothing to settle: the deactivation stops it at once, and the next activation starts another.
        await engines.DeactivateAsync(first).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotSame(first, engines.Activate("r/z/g/m1"));
    }
}
