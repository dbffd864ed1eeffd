using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>
/// Offers HTTP/2 on the sandbox's cleartext API port as kube-apiserver offers it over TLS (ALPN h2), so clients
/// multiplex every watch and request to a member over one connection, while kubectl and helm keep HTTP/1.1 on the
/// same port. Kestrel 10 serves HTTP/1.1 on a cleartext Http1AndHttp2 endpoint (no ALPN to choose by); this connection
/// middleware peeks at the first bytes and, on the HTTP/2 client preface (RFC 9113 §3.3, "prior knowledge"), tells
/// Kestrel "h2" through the features its protocol selection reads. Nothing is consumed: the chosen protocol reads
/// the bytes itself. Also counts the open connections, by protocol, for tests and benchmarks.
/// </summary>
internal static class CleartextHttp2
{
    /// <summary>A client that connects and says nothing is served as HTTP/1.1 after this (whose own timeouts apply).</summary>
    private static readonly TimeSpan PrefaceWait = TimeSpan.FromSeconds(10);

    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <param name="counts">Where the open connections are counted.</param>
    /// <param name="detect">False: HTTP/1.1 only (the connections are counted still).</param>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(ConnectionCounts counts, bool detect) => next => async connection =>
    {
        var http2 = detect && await StartsWithPrefaceAsync(connection.Transport.Input, connection.ConnectionClosed);
        if (http2)
        {
            connection.Features.Set<ITlsConnectionFeature>(NoClientCertificate.Instance);
            connection.Features.Set<ITlsApplicationProtocolFeature>(H2.Instance);
        }

        counts.Opened(http2);
        try
        {
            await next(connection);
        }
        finally
        {
            counts.Closed(http2);
        }
    };

    private static async Task<bool> StartsWithPrefaceAsync(PipeReader input, CancellationToken closed)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(closed);
        wait.CancelAfter(PrefaceWait);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            var buffer = result.Buffer;
            var examined = buffer.Start;
            try
            {
                var length = (int)Math.Min(buffer.Length, Preface.Length);
                var head = buffer.Slice(0, length).ToArray();
                if (!head.AsSpan().SequenceEqual(Preface[..length]))
                {
                    return false;
                }

                if (length == Preface.Length)
                {
                    return true;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return false;
                }

                // A prefix of the preface so far: wait for more without consuming anything.
                examined = buffer.End;
            }
            finally
            {
                input.AdvanceTo(buffer.Start, examined);
            }
        }
    }

    /// <summary>Kestrel picks HTTP/2 for a connection with a TLS feature whose ALPN protocol is h2.</summary>
    private sealed class H2 : ITlsApplicationProtocolFeature
    {
        public static readonly H2 Instance = new();

        public ReadOnlyMemory<byte> ApplicationProtocol { get; } = "h2"u8.ToArray();
    }

    /// <summary>The TLS feature Kestrel's protocol selection looks for; there is no TLS, so no client certificate.</summary>
    private sealed class NoClientCertificate : ITlsConnectionFeature
    {
        public static readonly NoClientCertificate Instance = new();

        public X509Certificate2? ClientCertificate
        {
            get => null;
            set { }
        }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}

/// <summary>The connections a sandbox cluster's API port holds open now, and the most it held at once, by protocol.</summary>
public sealed class ConnectionCounts
{
    private readonly Lock _gate = new();
    private int _http1;
    private int _http2;
    private int _peak;
    private int _peakHttp2;

    /// <summary>Open connections (HTTP/1.1 and HTTP/2).</summary>
    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _http1 + _http2;
            }
        }
    }

    /// <summary>Open HTTP/2 connections.</summary>
    public int OpenHttp2
    {
        get
        {
            lock (_gate)
            {
                return _http2;
            }
        }
    }

    /// <summary>The most connections open at once since the last <see cref="ResetPeak"/>.</summary>
    public int Peak
    {
        get
        {
            lock (_gate)
            {
                return _peak;
            }
        }
    }

    /// <summary>The most HTTP/2 connections open at once since the last <see cref="ResetPeak"/>.</summary>
    public int PeakHttp2
    {
        get
        {
            lock (_gate)
            {
                return _peakHttp2;
            }
        }
    }

    /// <summary>Starts measuring the peak from the connections open now.</summary>
    public void ResetPeak()
    {
        lock (_gate)
        {
            (_peak, _peakHttp2) = (_http1 + _http2, _http2);
        }
    }

    internal void Opened(bool http2)
    {
        lock (_gate)
        {
            if (http2)
            {
                _http2++;
            }
            else
            {
                _http1++;
            }

            _peak = Math.Max(_peak, _http1 + _http2);
            _peakHttp2 = Math.Max(_peakHttp2, _http2);
        }
    }

    internal void Closed(bool http2)
    {
        lock (_gate)
        {
            if (http2)
            {
                _http2--;
            }
            else
            {
                _http1--;
            }
        }
    }
}
