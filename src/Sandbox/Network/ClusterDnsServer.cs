using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// The cluster's DNS server, as CoreDNS with the kubernetes plugin is to a real cluster: authoritative for
/// <c>cluster.local</c> (answers from <see cref="ClusterNames"/>), forwarding the stub zones the kube-system/coredns
/// ConfigMap's Corefile declares (<c>zone:53 { forward . addr:port }</c>, loopback upstreams only) and refusing
/// everything else (nothing here may leave the machine). Runs containers' resolv.conf names it; port 53 on its own
/// loopback address, because resolv.conf cannot name a port. ARSoft.Tools.Net does the wire protocol (UDP and TCP).
/// </summary>
public sealed class ClusterDnsServer : IDisposable
{
    /// <summary>CoreDNS's kubernetes plugin answers with a 5 s TTL by default, so clients re-ask soon after a change.</summary>
    private const int TtlSeconds = 5;
    private const int MaxAliasSteps = 8;
    private const int TransportTimeoutMs = 5000;

    /// <summary>Under a client's usual 5 s wait, so a silent upstream becomes SERVFAIL rather than no answer, as CoreDNS's forward.</summary>
    private const int ForwardTimeoutMs = 2000;

    private static readonly DomainName ClusterDomain = DomainName.Parse(ClusterNames.Domain);

    private readonly ClusterNames _names;
    private readonly Func<IReadOnlyList<StubZone>> _stubZones;
    private readonly DnsServer _server;

    private ClusterDnsServer(ClusterNames names, Func<IReadOnlyList<StubZone>> stubZones, IPAddress address)
    {
        _names = names;
        _stubZones = stubZones;
        Address = address;
        var endpoint = new IPEndPoint(address, 53);
        _server = new DnsServer(new UdpServerTransport(endpoint, TransportTimeoutMs), new TcpServerTransport(endpoint, TransportTimeoutMs, TransportTimeoutMs));
        _server.QueryReceived += OnQueryReceivedAsync;
    }

    /// <summary>The address pods' resolv.conf names (port 53).</summary>
    public IPAddress Address { get; }

    /// <summary>Starts answering on <paramref name="address"/>:53 (binding port 53 needs root or CAP_NET_BIND_SERVICE).</summary>
    public static ClusterDnsServer Start(ClusterNames names, Func<IReadOnlyList<StubZone>> stubZones, IPAddress address)
    {
        var server = new ClusterDnsServer(names, stubZones, address);
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

    /// <summary>Answers one question, forwarding it when a stub zone holds it.</summary>
    public async Task<DnsMessage> AnswerAsync(DnsMessage query)
    {
        if (query.Questions.Count == 1 && query.Questions[0] is var question && !question.Name.IsEqualOrSubDomainOf(ClusterDomain)
            && _stubZones().Where(z => question.Name.IsEqualOrSubDomainOf(z.Zone)).MaxBy(z => z.Zone.LabelCount) is { } zone)
        {
            return await ForwardAsync(query, question, zone);
        }

        return Answer(query);
    }

    public void Dispose()
    {
        _server.QueryReceived -= OnQueryReceivedAsync;
        _server.Stop();
    }

    // The same question to each upstream in turn, as CoreDNS's forward does; the first reply is passed back whole
    // (rcode, answer, authority and additional sections), and no reply at all is SERVFAIL.
    private static async Task<DnsMessage> ForwardAsync(DnsMessage query, DnsQuestion question, StubZone zone)
    {
        var response = query.CreateResponseInstance();
        foreach (var upstream in zone.Upstreams)
        {
            var client = new DnsClient([upstream.Address], [new UdpClientTransport(upstream.Port), new TcpClientTransport(upstream.Port)], false, ForwardTimeoutMs);
            var forwarded = new DnsMessage { IsRecursionDesired = query.IsRecursionDesired };
            forwarded.Questions.Add(question);
            DnsMessage? reply;
            try
            {
                reply = await client.SendMessageAsync(forwarded);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or TimeoutException or OperationCanceledException)
            {
                reply = null;
            }

            if (reply is null)
            {
                continue;
            }

            response.ReturnCode = reply.ReturnCode;
            response.IsAuthoritiveAnswer = reply.IsAuthoritiveAnswer;
            response.IsRecursionAllowed = reply.IsRecursionAllowed;
            response.AnswerRecords.AddRange(reply.AnswerRecords);
            response.AuthorityRecords.AddRange(reply.AuthorityRecords);
            response.AdditionalRecords.AddRange(reply.AdditionalRecords);
            return response;
        }

        response.ReturnCode = ReturnCode.ServerFailure;
        return response;
    }

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
        {
            e.Response = await AnswerAsync(query);
        }
    }
}
