using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// The cluster's DNS server, as CoreDNS with the kubernetes plugin is to a real cluster: authoritative for
/// <c>cluster.local</c> (answers from <see cref="ClusterNames"/>), refusing everything else (nothing here may leave
/// the machine, so there is no upstream to forward to). Runs containers' resolv.conf names it; port 53 on its own
/// loopback address, because resolv.conf cannot name a port. ARSoft.Tools.Net does the wire protocol (UDP and TCP).
/// </summary>
public sealed class ClusterDnsServer : IDisposable
{
    /// <summary>CoreDNS's kubernetes plugin answers with a 5 s TTL by default, so clients re-ask soon after a change.</summary>
    private const int TtlSeconds = 5;
    private const int MaxAliasSteps = 8;
    private const int TransportTimeoutMs = 5000;

    private static readonly DomainName ClusterDomain = DomainName.Parse(ClusterNames.Domain);

    private readonly ClusterNames _names;
    private readonly DnsServer _server;

    private ClusterDnsServer(ClusterNames names, IPAddress address)
    {
        _names = names;
        Address = address;
        var endpoint = new IPEndPoint(address, 53);
        _server = new DnsServer(new UdpServerTransport(endpoint, TransportTimeoutMs), new TcpServerTransport(endpoint, TransportTimeoutMs, TransportTimeoutMs));
        _server.QueryReceived += OnQueryReceivedAsync;
    }

    /// <summary>The address pods' resolv.conf names (port 53).</summary>
    public IPAddress Address { get; }

    /// <summary>Starts answering on <paramref name="address"/>:53 (binding port 53 needs root or CAP_NET_BIND_SERVICE).</summary>
    public static ClusterDnsServer Start(ClusterNames names, IPAddress address)
    {
        var server = new ClusterDnsServer(names, address);
        try
        {
            server._server.Start();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            server.Dispose();
            throw new InvalidOperationException($"The cluster DNS server cannot listen on {address}:53 ({ex.Message}); binding port 53 needs root.", ex);
        }

        return server;
    }

    /// <summary>Answers one question as the server would (also used by tests to compare with what dig sees).</summary>
    public DnsMessage Answer(DnsMessage query)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        var question = query.Questions[0];
        if (question.RecordClass != RecordClass.INet || !question.Name.IsEqualOrSubDomainOf(ClusterDomain))
        {
            // Not ours, and there is nowhere to forward it to.
            response.ReturnCode = ReturnCode.Refused;
            return response;
        }

        response.IsAuthoritiveAnswer = true;
        var name = question.Name;
        for (var step = 0; step < MaxAliasSteps; step++)
        {
            var answer = _names.Lookup(name.ToString());
            if (!answer.Exists)
            {
                response.ReturnCode = response.AnswerRecords.Count == 0 ? ReturnCode.NxDomain : ReturnCode.NoError;
                return response;
            }

            if (answer.Alias is { } alias)
            {
                var target = DomainName.Parse(alias);
                response.AnswerRecords.Add(new CNameRecord(name, TtlSeconds, target));
                if (!target.IsEqualOrSubDomainOf(ClusterDomain))
                {
                    break;
                }

                name = target;
                continue;
            }

            if (question.RecordType is RecordType.A or RecordType.Any)
            {
                foreach (var address in answer.Addresses)
                {
                    response.AnswerRecords.Add(new ARecord(name, TtlSeconds, address));
                }
            }

            break;
        }

        // An existing name without records of the asked type (AAAA on an IPv4 cluster): NOERROR with no answers.
        response.ReturnCode = ReturnCode.NoError;
        return response;
    }

    public void Dispose()
    {
        _server.QueryReceived -= OnQueryReceivedAsync;
        _server.Stop();
    }

    private Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
        {
            e.Response = Answer(query);
        }

        return Task.CompletedTask;
    }
}
