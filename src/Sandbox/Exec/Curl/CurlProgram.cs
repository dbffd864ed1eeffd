namespace ErieCanal.Orleans.Sandbox.Exec.Curl;

/// <summary>
/// curl as the <c>curlimages/curl</c> image carries it, simulated: HTTP only, real sockets to loopback addresses
/// only (through the member's client-side proxy when one runs), no files read or written.
/// </summary>
public sealed class CurlProgram : IContainerProgram
{
    private const string Hint = "curl: try 'curl --help' or 'curl --manual' for more information";

    public async Task<int> RunAsync(ContainerProcess process, CancellationToken cancellationToken)
    {
        CurlOptions options;
        try
        {
            options = CurlCommandLine.Parse(process.Arguments);
        }
        catch (CurlException ex)
        {
            await process.Stderr.WriteAsync($"curl: {ex.Message}\n{Hint}\n", cancellationToken);
            return ex.ExitCode;
        }

        if (options.Help)
        {
            await process.Stdout.WriteAsync(Usage, cancellationToken);
            return 0;
        }

        if (options.Version)
        {
            await process.Stdout.WriteAsync(VersionText, cancellationToken);
            return 0;
        }

        if (options.Urls.Count == 0)
        {
            await process.Stderr.WriteAsync($"curl: no URL specified\n{Hint}\n", cancellationToken);
            return 2;
        }

        // Like curl, every URL is tried; the exit code is the last failure's.
        var exitCode = 0;
        foreach (var url in options.Urls)
        {
            var code = await new CurlTransfer(options, process).RunAsync(url, cancellationToken);
            exitCode = code == 0 ? exitCode : code;
        }

        return exitCode;
    }

    private const string VersionText =
        "curl 8.11.1 (x86_64-pc-linux-musl) libcurl/8.11.1\n" +
        "Protocols: http\n" +
        "Features: simulated by the ErieCanal.Orleans sandbox (HTTP only, no file access)\n";

    private const string Usage =
        "Usage: curl [options...] <url>\n" +
        " -d, --data <data>          HTTP POST data (also --data-raw, --data-binary, --data-urlencode, --json)\n" +
        " -f, --fail                 Fail fast with no output on HTTP errors (also --fail-with-body)\n" +
        " -G, --get                  Put the post data in the URL and use GET\n" +
        " -H, --header <header>      Pass custom header(s) to server\n" +
        " -i, --include              Include response headers in output\n" +
        " -I, --head                 Show document info only\n" +
        " -L, --location             Follow redirects (--max-redirs <num>)\n" +
        " -m, --max-time <seconds>   Maximum time allowed for transfer (also --connect-timeout)\n" +
        " -o, --output /dev/null     Discard the body (no other file can be written here)\n" +
        " -s, --silent               Silent mode (-S, --show-error: show errors anyway)\n" +
        " -u, --user <user:password> Server user and password\n" +
        " -v, --verbose              Make the operation more talkative\n" +
        " -w, --write-out <format>   Output FORMAT after completion (%{http_code}, ...)\n" +
        " -X, --request <method>     Specify request method to use\n";
}
