using System.Text.Json.Nodes;
using System.Text.Json;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Crds;

/// <summary>The one owner of an object's conditions, against the sandbox: get, set, update guarded by resourceVersion, retry on 409.</summary>
public sealed class ConditionWriterTests : SandboxContext
{
    private static readonly Dictionary<string, JsonNode?> Generation1 = new() { ["observedGeneration"] = 1 };

    [Fact]
    public async Task A_conflicting_writer_is_merged_not_overwritten()
    {
        using var client = Client();
        await CreateExportAsync(client);
        var mine = new ConditionWriter(ServiceExportResource.Plural, "shop", "web", TimeProvider.System);
        var theirs = new ConditionWriter(ServiceExportResource.Plural, "shop", "web", TimeProvider.System);

        await mine.WriteAsync(client, [new ConditionUpdate("Valid", true, "Exported", "ok", 1)], Generation1, CancellationToken.None);

        // Another owner writes after we read: our cached resourceVersion is stale, so our next write conflicts (409),
        // reads again and keeps their condition.
        await theirs.WriteAsync(client, [new ConditionUpdate("Other", true, "Theirs", "kept", 1)], Generation1, CancellationToken.None);
        var change = await mine.WriteAsync(client, [new ConditionUpdate("Valid", false, "NoService", "gone", 1)], Generation1, CancellationToken.None);

        Assert.True(change.Written);
        var conditions = await ReadConditionsAsync(client);
        Assert.Equal(("False", "NoService"), conditions.Single(c => c.Type == "Valid") is var v ? (v.Status, v.Reason) : default);
        Assert.Equal("Theirs", conditions.Single(c => c.Type == "Other").Reason);
    }

    [Fact]
    public async Task A_seeded_writer_writes_without_reading_and_a_stale_seed_reads_and_keeps_others_conditions()
    {
        using var client = Client();
        await CreateExportAsync(client);
        var created = (await ReadAsync(client)).Metadata.ResourceVersion;

        // Seeded with the version it was created at: the first write lands as is.
        var fresh = new ConditionWriter(ServiceExportResource.Plural, "shop", "web", TimeProvider.System);
        fresh.SeedEmpty(created);
        var first = await fresh.WriteAsync(client, [new ConditionUpdate("Other", true, "Theirs", "kept", 1)], Generation1, CancellationToken.None);

        // Seeded with that version again, now stale: the write conflicts, reads and merges.
        var stale = new ConditionWriter(ServiceExportResource.Plural, "shop", "web", TimeProvider.System);
        stale.SeedEmpty(created);
        var second = await stale.WriteAsync(client, [new ConditionUpdate("Valid", true, "Exported", "ok", 1)], Generation1, CancellationToken.None);

        Assert.True(first.Written);
        Assert.True(second.Written);
        var conditions = await ReadConditionsAsync(client);
        Assert.Equal("Theirs", conditions.Single(c => c.Type == "Other").Reason);
        Assert.Equal("Exported", conditions.Single(c => c.Type == "Valid").Reason);
    }

    [Fact]
    public async Task An_unchanged_state_costs_no_write()
    {
        using var client = Client();
        await CreateExportAsync(client);
        var writer = new ConditionWriter(ServiceExportResource.Plural, "shop", "web", TimeProvider.System);
        var first = await writer.WriteAsync(client, [new ConditionUpdate("Valid", true, "Exported", "ok", 1)], Generation1, CancellationToken.None);
        var version = (await ReadAsync(client)).Metadata.ResourceVersion;

        var again = await writer.WriteAsync(client, [new ConditionUpdate("Valid", true, "Exported", "ok", 1)], Generation1, CancellationToken.None);

        Assert.True(first.Written);
        Assert.False(again.Written);
        Assert.Equal(version, (await ReadAsync(client)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Clearing_removes_the_conditions_and_a_missing_object_is_fine()
    {
        using var client = Client();
        await CreateExportAsync(client);
        var writer = new ConditionWriter(ServiceExportResource.Plural, "shop", "web", TimeProvider.System);
        await writer.WriteAsync(client, [new ConditionUpdate("Valid", true, "Exported", "ok", 1)], Generation1, CancellationToken.None);

        await ConditionWriter.ClearAsync(client, ServiceExportResource.Plural, "shop", "web", CancellationToken.None);
        await ConditionWriter.ClearAsync(client, ServiceExportResource.Plural, "shop", "missing", CancellationToken.None);

        Assert.Empty(await ReadConditionsAsync(client));
    }

    private static async Task CreateExportAsync(Kubernetes client)
    {
        await CrdCompatibility.EnsureAsync(client, upgrade: true, CancellationToken.None);
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(new ServiceExportResource
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
            Spec = new ServiceExportSpec { ServiceAccountName = "*" },
        }, ServiceExportResource.Group, ServiceExportResource.Version, "shop", ServiceExportResource.Plural);
    }

    private static async Task<ServiceExportResource> ReadAsync(Kubernetes client)
    {
        var raw = await client.CustomObjects.GetNamespacedCustomObjectAsync(ServiceExportResource.Group, ServiceExportResource.Version, "shop", ServiceExportResource.Plural, "web");
        return JsonSerializer.Deserialize<ServiceExportResource>(((JsonElement)raw).GetRawText(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private static async Task<IReadOnlyList<Condition>> ReadConditionsAsync(Kubernetes client) => (await ReadAsync(client)).Status?.Conditions ?? [];
}
