using ErieCanal.Orleans.Sandbox.Exec.Curl;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Exec;

/// <summary>The simulated curl reads its command line as curl does, and refuses what would touch files.</summary>
public sealed class CurlCommandLineTests
{
    [Fact]
    public void Short_flags_combine_and_values_attach_or_follow()
    {
        var options = CurlCommandLine.Parse(["-sSfL", "-XPOST", "-m", "2.5", "-sH", "X-A: 1", "http://a.b:8080/x", "--url", "http://c.d"]);

        Assert.True(options.Silent && options.ShowError && options.Fail && options.FollowRedirects);
        Assert.Equal("POST", options.Method);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.MaxTime);
        Assert.Equal([new("X-A", "1")], options.Headers);
        Assert.Equal(["http://a.b:8080/x", "http://c.d"], options.Urls);
    }

    [Fact]
    public void Headers_data_and_outputs_follow_curl_conventions()
    {
        var options = CurlCommandLine.Parse(["-H", "Accept:", "-H", "X-Empty;", "--data-urlencode", "q=a b", "-d", "x=1", "-b", "k=v", "-o", "/dev/null", "-D", "-", "u"]);

        Assert.Equal([new("Accept", null), new("X-Empty", ""), new("Cookie", "k=v")], options.Headers);
        Assert.Equal(["q=a%20b", "x=1"], options.Data);
        Assert.True(options.DiscardBody);
        Assert.True(options.DumpHeaders);
    }

    [Theory]
    [InlineData("option -m: requires parameter", "-m")]
    [InlineData("option -m: expected a proper numerical parameter", "-m", "soon")]
    [InlineData("option -b: reading cookie files is not supported in this sandbox", "-b", "cookies.txt")]
    [InlineData("option -c: writing files is not supported in this sandbox", "-sc", "jar")]
    [InlineData("option -d: reading stdin is not supported in this sandbox", "-d", "@-")]
    [InlineData("option --data-urlencode: reading files is not supported in this sandbox", "--data-urlencode", "name@/etc/passwd")]
    [InlineData("option -w: reading files is not supported in this sandbox", "-w", "@format.txt")]
    [InlineData("option -Z: is unknown", "-sZ")]
    public void Refused_and_malformed_options_are_usage_errors(string message, params string[] args)
    {
        var error = Assert.Throws<CurlException>(() => CurlCommandLine.Parse(args));

        Assert.Equal(2, error.ExitCode);
        Assert.True(error.Usage);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Write_out_expands_variables_headers_and_escapes()
    {
        var info = new CurlTransferInfo { StatusCode = 404, Method = "GET", BytesDownloaded = 9, Url = new Uri("http://a.b:8080/x") };
        info.ResponseHeaders["X-Served-By"] = "pod-1";
        var unknown = new List<string>();

        var text = CurlWriteOut.Format(@"%{http_code} %{size_download} %{url_effective} %{header{x-served-by}} 100%% %{nope}\n", info, unknown);

        Assert.Equal("404 9 http://a.b:8080/x pod-1 100% \n", text);
        Assert.Equal(["nope"], unknown);
        Assert.Equal("000", CurlWriteOut.Format("%{http_code}", new CurlTransferInfo(), unknown));
    }
}
