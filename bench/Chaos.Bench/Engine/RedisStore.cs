using System.Diagnostics;
using System.Globalization;

namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// redis-server with an append-only file synced on every write, so a SIGKILL loses nothing it acknowledged: the
/// restart tests the system's reconnection, not Redis' durability settings.
/// </summary>
public sealed class RedisStore(string directory) : StoreServer(directory)
{
    public override string Name => "redis-server";

    public override IReadOnlyDictionary<string, string> SiloEnvironment =>
        new Dictionary<string, string> { ["Orleans__Redis"] = $"127.0.0.1:{Port},abortConnect=false" };

    protected override string MissingMessage => "redis-server is not installed (apt-get install -y redis-server; .ci/run does this)";

    protected override ProcessStartInfo StartInfo() => new("redis-server",
    [
        "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", DataDirectory,
        "--appendonly", "yes", "--appendfsync", "always", "--save", "",
    ]);
}
