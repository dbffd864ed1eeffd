using System.Globalization;
using System.Text;

namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>
/// Parses curl's command line the way curl does (combined short flags <c>-sSf</c>, attached values <c>-XPOST</c>,
/// long options with a separate value). Options that read or write files are refused: a simulated container has no
/// file system to offer, and the sandbox must never touch the host's.
/// </summary>
public static class CurlCommandLine
{
    private const string WritesFiles = "writing files";
    private const string ReadsFiles = "reading files";

    private static readonly CurlOption[] All =
    [
        Flag("silent", 's', o => o.Silent = true),
        Flag("show-error", 'S', o => o.ShowError = true),
        Flag("verbose", 'v', o => o.Verbose = true),
        Flag("include", 'i', o => o.Include = true),
        Flag("head", 'I', o => o.Head = true),
        Flag("fail", 'f', o => o.Fail = true),
        Flag("fail-with-body", null, o => o.FailWithBody = true),
        Flag("location", 'L', o => o.FollowRedirects = true),
        Flag("location-trusted", null, o => o.FollowRedirects = true),
        Flag("compressed", null, o => o.Compressed = true),
        Flag("get", 'G', o => o.Get = true),
        Flag("http1.0", '0', o => o.Http10 = true),
        Flag("help", 'h', o => o.Help = true),
        Flag("version", 'V', o => o.Version = true),

        // Accepted and without effect here: no TLS, no progress meter, no IPv6, one connection per transfer.
        Flag("insecure", 'k', _ => { }),
        Flag("no-buffer", 'N', _ => { }),
        Flag("no-progress-meter", null, _ => { }),
        Flag("progress-bar", '#', _ => { }),
        Flag("http1.1", null, _ => { }),
        Flag("ipv4", '4', _ => { }),
        Flag("tcp-nodelay", null, _ => { }),
        Flag("disable", 'q', _ => { }),
        Flag("globoff", 'g', _ => { }),
        Flag("path-as-is", null, _ => { }),
        Flag("no-keepalive", null, _ => { }),
        Flag("fail-early", null, _ => { }),

        Value("request", 'X', (o, _, v) => o.Method = v),
        Value("header", 'H', AddHeader),
        Value("data", 'd', (o, n, v) => o.Data.Add(NotAFile(n, v))),
        Value("data-ascii", null, (o, n, v) => o.Data.Add(NotAFile(n, v))),
        Value("data-binary", null, (o, n, v) => o.Data.Add(NotAFile(n, v))),
        Value("data-raw", null, (o, _, v) => o.Data.Add(v)),
        Value("data-urlencode", null, (o, n, v) => o.Data.Add(UrlEncode(n, v))),
        Value("json", null, (o, n, v) =>
        {
            o.Data.Add(NotAFile(n, v));
            o.Json = true;
        }),
        Value("write-out", 'w', (o, n, v) => o.WriteOut = NotAFile(n, v)),
        Value("max-time", 'm', (o, n, v) => o.MaxTime = Seconds(n, v)),
        Value("connect-timeout", null, (o, n, v) => o.ConnectTimeout = Seconds(n, v)),
        Value("max-redirs", null, (o, n, v) => o.MaxRedirects = int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max)
            ? max : throw CurlException.BadValue(n, "expected a proper numerical parameter")),
        Value("user-agent", 'A', (o, _, v) => o.Headers.Add(new("User-Agent", v.Length == 0 ? null : v))),
        Value("referer", 'e', (o, _, v) => o.Headers.Add(new("Referer", v))),
        Value("user", 'u', (o, _, v) => o.Headers.Add(new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(v.Contains(':', StringComparison.Ordinal) ? v : v + ":"))))),
        Value("cookie", 'b', (o, n, v) => o.Headers.Add(new("Cookie", v.Contains('=', StringComparison.Ordinal) ? v : throw CurlException.Refused(n, "reading cookie files")))),
        Value("url", null, (o, _, v) => o.Urls.Add(v)),
        Value("proxy", 'x', (o, _, v) => o.Proxy = v),
        Value("noproxy", null, (o, _, v) => o.NoProxy = v),
        Value("output", 'o', (o, n, v) => o.DiscardBody = v switch
        {
            "/dev/null" => true,
            "-" => o.DiscardBody,
            _ => throw CurlException.Refused(n, WritesFiles),
        }),
        Value("dump-header", 'D', (o, n, v) => o.DumpHeaders = v switch
        {
            "-" => true,
            "/dev/null" => o.DumpHeaders,
            _ => throw CurlException.Refused(n, WritesFiles),
        }),

        Refused("remote-name", 'O', WritesFiles),
        Refused("remote-name-all", null, WritesFiles),
        Refused("remote-header-name", 'J', WritesFiles),
        Refused("output-dir", null, WritesFiles),
        Refused("create-dirs", null, WritesFiles),
        Refused("cookie-jar", 'c', WritesFiles),
        Refused("trace", null, WritesFiles),
        Refused("trace-ascii", null, WritesFiles),
        Refused("stderr", null, WritesFiles),
        Refused("libcurl", null, WritesFiles),
        Refused("etag-save", null, WritesFiles),
        Refused("hsts", null, WritesFiles),
        Refused("alt-svc", null, WritesFiles),
        Refused("upload-file", 'T', ReadsFiles),
        Refused("config", 'K', ReadsFiles),
        Refused("form", 'F', ReadsFiles),
        Refused("form-string", null, ReadsFiles),
        Refused("netrc", 'n', ReadsFiles),
        Refused("netrc-file", null, ReadsFiles),
        Refused("netrc-optional", null, ReadsFiles),
        Refused("etag-compare", null, ReadsFiles),
        Refused("time-cond", 'z', ReadsFiles),
        Refused("cacert", null, ReadsFiles),
        Refused("capath", null, ReadsFiles),
        Refused("cert", 'E', ReadsFiles),
        Refused("key", null, ReadsFiles),
        Refused("unix-socket", null, "connecting to host sockets"),
        Refused("abstract-unix-socket", null, "connecting to host sockets"),
        Refused("proxy-user", 'U', "choosing a proxy"),
        Refused("socks5", null, "choosing a proxy"),
        Refused("resolve", null, "overriding name resolution"),
        Refused("connect-to", null, "overriding name resolution"),
    ];

    private static readonly Dictionary<string, CurlOption> ByLong = All.ToDictionary(o => o.Long, StringComparer.Ordinal);

    private static readonly Dictionary<char, CurlOption> ByShort = All.Where(o => o.Short is not null).ToDictionary(o => o.Short!.Value);

    public static CurlOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CurlOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var option = ByLong.GetValueOrDefault(arg[2..]) ?? throw CurlException.Unknown(arg);
                option.Apply(options, arg, option.TakesValue ? ValueAfter(args, ref i, arg) : null);
            }
            else if (arg.StartsWith('-') && arg.Length > 1)
            {
                for (var j = 1; j < arg.Length; j++)
                {
                    var name = "-" + arg[j];
                    var option = ByShort.GetValueOrDefault(arg[j]) ?? throw CurlException.Unknown(name);
                    if (!option.TakesValue)
                    {
                        option.Apply(options, name, null);
                        continue;
                    }

                    // The rest of the word is the value (-XPOST), or else the next word.
                    option.Apply(options, name, j + 1 < arg.Length ? arg[(j + 1)..] : ValueAfter(args, ref i, name));
                    break;
                }
            }
            else
            {
                options.Urls.Add(arg);
            }
        }

        return options;
    }

    private static string ValueAfter(IReadOnlyList<string> args, ref int i, string name) =>
        ++i < args.Count ? args[i] : throw CurlException.BadValue(name, "requires parameter");

    private static void AddHeader(CurlOptions options, string name, string value)
    {
        if (value.StartsWith('@'))
        {
            throw CurlException.Refused(name, ReadsFiles);
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var header = value[..colon].Trim();
            var content = value[(colon + 1)..].Trim();

            // "Name:" removes a header curl would send; "Name;" sends it empty.
            options.Headers.Add(new(header, content.Length == 0 ? null : content));
        }
        else if (value.EndsWith(';') && value.Length > 1)
        {
            options.Headers.Add(new(value[..^1].Trim(), ""));
        }
    }

    private static string NotAFile(string name, string value) =>
        value.StartsWith('@') ? throw CurlException.Refused(name, value == "@-" ? "reading stdin" : ReadsFiles) : value;

    private static string UrlEncode(string name, string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0 && (equals < 0 || at < equals))
        {
            throw CurlException.Refused(name, ReadsFiles);
        }

        return equals switch
        {
            < 0 => Uri.EscapeDataString(value),
            0 => Uri.EscapeDataString(value[1..]),
            _ => value[..equals] + "=" + Uri.EscapeDataString(value[(equals + 1)..]),
        };
    }

    private static TimeSpan Seconds(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < 1e7
            ? TimeSpan.FromSeconds(seconds)
            : throw CurlException.BadValue(name, "expected a proper numerical parameter");

    private static CurlOption Flag(string name, char? letter, Action<CurlOptions> apply) => new(name, letter, false, (o, _, _) => apply(o));

    private static CurlOption Value(string name, char? letter, Action<CurlOptions, string, string> apply) => new(name, letter, true, (o, n, v) => apply(o, n, v!));

    private static CurlOption Refused(string name, char? letter, string what) => new(name, letter, false, (_, n, _) => throw CurlException.Refused(n, what));

    private sealed record CurlOption(string Long, char? Short, bool TakesValue, Action<CurlOptions, string, string?> Apply);
}
