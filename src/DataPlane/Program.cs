using System.Runtime.InteropServices;
using ErieCanal.Orleans.DataPlane.Dns;
using ErieCanal.Orleans.DataPlane.Gateway;
using ErieCanal.Orleans.DataPlane.Hosting;
using ErieCanal.Orleans.DataPlane.Proxy;
using k8s;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.DataPlane;

/// <summary>
/// The container entry point: <c>gateway</c>, <c>proxy</c> or <c>dns</c>, then settings from the environment or the command
/// line: DataPlane__IngressClass, DataPlane__ClusterKey, DataPlane__Listen (else urls / ASPNETCORE_URLS, else
/// http://0.0.0.0:8080), DataPlane__Kubeconfig (a path; else the in-cluster service account), and for the proxy
/// DataPlane__TryTimeout, DataPlane__Retry (AnyEndpoint|StandbyOnly), DataPlane__Ejection__Enabled,
/// DataPlane__Ejection__ConsecutiveFailures, DataPlane__Ejection__BaseEjectionTime, DataPlane__Ejection__MaxEjectionTime,
/// DataPlane__ListenerFirstPort, DataPlane__ListenerLastPort (the per-port listeners' range), DataPlane__SniffTimeout;
/// for the gateway DataPlane__ConnectTimeout (a tunnel's connect to a pod).
/// Both serve GET /healthz, /readyz and /metrics (Prometheus) on the listen address.
/// The member's clusterset.local DNS (<c>dns</c>, or beside either with DataPlane__Dns__Enabled=true):
/// DataPlane__Dns__Listen (UDP and TCP, default 127.0.0.1:5353), DataPlane__Dns__Ttl (seconds, default 5),
/// DataPlane__MemberName; the <c>dns</c> component serves GET /healthz and /readyz (synced) on the listen address.
/// </summary>
public static class Program
{
    private const string Usage = "usage: ErieCanal.Orleans.DataPlane gateway|proxy|dns [--DataPlane:Listen=http://0.0.0.0:8080] [--DataPlane:ClusterKey=...] [--DataPlane:IngressClass=...] [--DataPlane:Kubeconfig=path] [--DataPlane:Dns:Enabled=true] [--DataPlane:Dns:Listen=127.0.0.1:5353]";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("gateway" or "proxy" or "dns"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args[1..]).Build();
        var section = configuration.GetSection("DataPlane");
        var listen = section["Listen"]
            ?? configuration["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? "http://0.0.0.0:8080";

        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddConfiguration(configuration.GetSection("Logging")));
        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });

        try
        {
            var kubeconfigPath = section["Kubeconfig"];
            var dnsOptions = DnsSettings(section, args[0] == "dns");
            if (dnsOptions.Enabled)
            {
                ThrowIfInvalid(new DnsOptionsValidator().Validate(null, dnsOptions), typeof(DnsOptions));
            }

            if (args[0] == "dns")
            {
                ThrowIfInvalid(ListenAddress.Describe(listen) is { } problem ? ValidateOptionsResult.Fail($"Listen: {problem}") : ValidateOptionsResult.Success, typeof(DnsOptions));
                await using var dnsOnly = await StartDnsAsync(dnsOptions, kubeconfigPath, loggerFactory, stopping.Token);
                await using var probes = await DnsProbeHost.StartAsync(listen, dnsOnly, loggerFactory, stopping.Token);
                await Console.Out.WriteLineAsync($"dns answering clusterset.local on {dnsOnly.EndPoint} (UDP and TCP), probes on {probes.Address}");
                await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return 0;
            }

            await using var server = args[0] == "gateway"
                ? await StartGatewayAsync(section, listen, kubeconfigPath, loggerFactory, stopping.Token)
                : await StartProxyAsync(section, listen, kubeconfigPath, loggerFactory, stopping.Token);
            await Console.Out.WriteLineAsync($"{args[0]} listening on {server.Address}");

            // The member DNS beside the component, when asked for; it has its own informers and no /readyz of its own.
            await using var dns = dnsOptions.Enabled ? await StartDnsAsync(dnsOptions, kubeconfigPath, loggerFactory, stopping.Token) : null;
            if (dns is not null)
            {
                await Console.Out.WriteLineAsync($"dns answering clusterset.local on {dns.EndPoint} (UDP and TCP)");
            }

            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"invalid settings: {string.Join("; ", ex.Failures)}");
            return 2;
        }
        catch (Exception ex) when (ex is ErieCanal.Orleans.Watchers.Clients.InvalidKubeconfigException or k8s.Exceptions.KubeConfigException or IOException)
        {
            await Console.Error.WriteLineAsync($"cannot reach the member's API server: {ex.Message}");
            return 2;
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            await Console.Error.WriteLineAsync($"cannot listen: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return 0;
        }
    }

    private static async Task<DataPlaneServer> StartGatewayAsync(IConfigurationSection section, string listen, string? kubeconfigPath, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var options = new GatewayOptions();
        section.Bind(options);
        options.Listen = listen;
        ThrowIfInvalid(new GatewayOptionsValidator().Validate(null, options), typeof(GatewayOptions));
        return kubeconfigPath is { Length: > 0 }
            ? await MemberGateway.StartAsync(options, await File.ReadAllTextAsync(kubeconfigPath, cancellationToken), loggerFactory, cancellationToken)
            : await MemberGateway.StartAsync(options, new Kubernetes(KubernetesClientConfiguration.InClusterConfig()), loggerFactory, cancellationToken);
    }

    private static async Task<DataPlaneServer> StartProxyAsync(IConfigurationSection section, string listen, string? kubeconfigPath, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var options = new ProxyOptions();
        section.Bind(options);
        options.Listen = listen;
        ThrowIfInvalid(new ProxyOptionsValidator().Validate(null, options), typeof(ProxyOptions));
        return kubeconfigPath is { Length: > 0 }
            ? await ClientProxy.StartAsync(options, await File.ReadAllTextAsync(kubeconfigPath, cancellationToken), loggerFactory, cancellationToken)
            : await ClientProxy.StartAsync(options, new Kubernetes(KubernetesClientConfiguration.InClusterConfig()), loggerFactory, cancellationToken);
    }

    /// <summary>DataPlane:Dns, with the member's name from DataPlane:MemberName (else DataPlane:ClusterKey) for logs.</summary>
    internal static DnsOptions DnsSettings(IConfigurationSection section, bool dnsComponent)
    {
        var options = new DnsOptions();
        section.GetSection("Dns").Bind(options);
        if (string.IsNullOrEmpty(options.MemberName))
        {
            options.MemberName = section["MemberName"] ?? section["ClusterKey"] ?? "";
        }

        options.Enabled |= dnsComponent;
        return options;
    }

    private static async Task<MemberDnsServer> StartDnsAsync(DnsOptions options, string? kubeconfigPath, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ThrowIfInvalid(new DnsOptionsValidator().Validate(null, options), typeof(DnsOptions));
        return kubeconfigPath is { Length: > 0 }
            ? await MemberDns.StartAsync(options, await File.ReadAllTextAsync(kubeconfigPath, cancellationToken), loggerFactory, cancellationToken)
            : await MemberDns.StartAsync(options, new Kubernetes(KubernetesClientConfiguration.InClusterConfig()), loggerFactory, cancellationToken);
    }

    // Settings are checked before the Kubernetes client is made, so a missing setting is reported as such.
    private static void ThrowIfInvalid(ValidateOptionsResult result, Type options)
    {
        if (result.Failed)
        {
            throw new OptionsValidationException(options.Name, options, result.Failures);
        }
    }
}
