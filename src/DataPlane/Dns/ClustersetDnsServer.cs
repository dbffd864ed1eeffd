using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace ErieCanal.Orleans.DataPlane.Dns;

/// <summary>
/// The member's DNS server for clusterset.local, on UDP and TCP at one address and port (ARSoft.Tools.Net does the
/// wire protocol and truncation). It answers from the last <see cref="ClustersetRecords"/> it was given; until the
/// first one it answers SERVFAIL, because an NXDOMAIN from an empty view would be cached by resolvers as if the
/// names did not exist.
/// </summary>
public sealed class ClustersetDnsServer : IDisposable
{
    private static readonly TimeSpan TransportTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TcpIdle = TimeSpan.FromSeconds(30);

    // Port 0: the UDP port the system picked may be taken for TCP; a few other picks settle it.
    private const int BindAttempts = 16;

    private readonly DnsServer _server;
    private readonly IServerTransport[] _transports;
    private readonly ILogger _logger;
    private ClustersetRecords? _records;
    private int _disposed;

    private ClustersetDnsServer(DnsServer server, IServerTransport[] transports, IPEndPoint endPoint, ILogger logger)
    {
        _server = server;
        _transports = transports;
        _logger = logger;
        EndPoint = endPoint;
        _server.QueryReceived += OnQueryReceivedAsync;
        _server.ExceptionThrown += OnExceptionThrownAsync;
    }

    /// <summary>Where it answers, UDP and TCP (the bound port when port 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>True once it was given records (the member's view has synced).</summary>
    public bool IsReady => Volatile.Read(ref _records) is not null;

    public ClustersetRecords? Records => Volatile.Read(ref _records);

    /// <summary>Starts listening on <paramref name="endPoint"/>; port 0 picks one port free for both UDP and TCP.</summary>
    public static ClustersetDnsServer Start(IPEndPoint endPoint, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        for (var attempt = 1; ; attempt++)
        {
            var udp = new UdpDnsTransport(endPoint);
            TcpDnsTransport? tcp = null;
            try
            {
                udp.Bind();
                tcp = new TcpDnsTransport(new IPEndPoint(endPoint.Address, udp.LocalEndPoint.Port), TransportTimeout, TcpIdle);
                tcp.Bind();
                var server = new DnsServer(udp, tcp);
                var dns = new ClustersetDnsServer(server, [udp, tcp], udp.LocalEndPoint, logger);
                server.Start();
                return dns;
            }
            catch (SocketException ex) when (endPoint.Port == 0 && ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < BindAttempts)
            {
                udp.Dispose();
                tcp?.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp?.Dispose();
                throw;
            }
        }
    }

    /// <summary>Answers from <paramref name="records"/> from now on (swapped whole: no query sees half of a change).</summary>
    public void Update(ClustersetRecords records)
    {
        ArgumentNullException.ThrowIfNull(records);
        Volatile.Write(ref _records, records);
    }

    /// <summary>The answer to <paramref name="query"/> as the server sends it before truncation.</summary>
    public DnsMessage Answer(DnsMessage query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (Volatile.Read(ref _records) is { } records)
        {
            return records.Answer(query);
        }

        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        response.ReturnCode = ReturnCode.ServerFailure;
        return response;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _server.QueryReceived -= OnQueryReceivedAsync;
        try
        {
            _server.Stop();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            // Stopped before its accept loops began: their tasks end cancelled, and Stop throws before closing.
        }
        finally
        {
            foreach (var transport in _transports)
            {
                transport.Dispose();
            }

            _server.ExceptionThrown -= OnExceptionThrownAsync;
        }
    }

    private Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
        {
            e.Response = Answer(query);
        }

        return Task.CompletedTask;
    }

    private Task OnExceptionThrownAsync(object sender, ExceptionEventArgs e)
    {
        _logger.ServerError(e.Exception, EndPoint);
        return Task.CompletedTask;
    }
}
