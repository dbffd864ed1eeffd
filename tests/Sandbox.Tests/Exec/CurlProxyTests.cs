using ErieCanal.Orleans.Sandbox.Exec.Curl;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Exec;

/// <summary>curl's choice of proxy: the command line, then the environment as curl reads it, then none.</summary>
public sealed class CurlProxyTests
{
    private static readonly Uri Http = new("http://httpbin.httpbin:8080/get");

    [Fact]
    public void No_setting_means_no_proxy()
    {
        Assert.Null(CurlProxy.For(Http, new CurlOptions(), Env()));
    }

    [Fact]
    public void Lowercase_http_proxy_is_read_and_uppercase_is_not_as_curl_does()
    {
        Assert.Equal(new Uri("http://proxy.erie:8080/"), CurlProxy.For(Http, new CurlOptions(), Env(("http_proxy", "http://proxy.erie:8080"))));
        Assert.Null(CurlProxy.For(Http, new CurlOptions(), Env(("HTTP_PROXY", "http://proxy.erie:8080"))));
        Assert.Equal(new Uri("http://all.erie:3128/"), CurlProxy.For(Http, new CurlOptions(), Env(("ALL_PROXY", "all.erie:3128"))));
    }

    [Fact]
    public void Command_line_wins_and_an_empty_one_turns_the_proxy_off()
    {
        var env = Env(("http_proxy", "http://proxy.erie:8080"));
        Assert.Equal(new Uri("http://cli.erie:1080/"), CurlProxy.For(Http, new CurlOptions { Proxy = "cli.erie" }, env));
        Assert.Null(CurlProxy.For(Http, new CurlOptions { Proxy = "" }, env));
    }

    [Fact]
    public void No_proxy_matches_the_host_and_its_subdomains()
    {
        var env = Env(("http_proxy", "http://proxy.erie:8080"), ("no_proxy", "example.com,.httpbin"));
        Assert.Null(CurlProxy.For(Http, new CurlOptions(), env));
        Assert.Null(CurlProxy.For(new Uri("http://api.example.com/"), new CurlOptions(), env));
        Assert.NotNull(CurlProxy.For(new Uri("http://example.org/"), new CurlOptions(), env));
        Assert.Null(CurlProxy.For(new Uri("http://example.org/"), new CurlOptions { NoProxy = "*" }, env));
    }

    private static Dictionary<string, string> Env(params (string Name, string Value)[] entries) =>
        entries.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
}
