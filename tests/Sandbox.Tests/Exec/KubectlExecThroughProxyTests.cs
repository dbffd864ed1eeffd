using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Exec;

/// <summary>
/// The real kubectl execs curl in the seed's curl pod; the member runs a client-side proxy (a test-owned
/// recording server), so every request must arrive there in absolute form with its Host kept.
/// </summary>
public sealed class KubectlExecThroughProxyTests(ProxiedCurlPodFixture fixture) : IClassFixture<ProxiedCurlPodFixture>
{
    [Fact]
    public async Task The_seed_command_prints_the_body_as_received_through_the_client_proxy()
    {
        var result = (await fixture.ExecAsync("curl", "-s", "http://httpbin.httpbin:8080")).AssertSuccess();

        Assert.Equal("GET http://httpbin.httpbin:8080/ host=httpbin.httpbin:8080", result.Stdout);
        Assert.Equal("", result.Stderr);
        var request = fixture.Server.Requests.Last(r => r.Target == "http://httpbin.httpbin:8080/");
        Assert.Equal("httpbin.httpbin:8080", request.Headers["Host"]);
        Assert.Equal("curl/8.11.1", request.Headers["User-Agent"]);
        Assert.Equal("*/*", request.Headers["Accept"]);
    }

    [Fact]
    public async Task With_it_and_no_terminal_kubectl_warns_and_the_command_still_runs()
    {
        var result = (await fixture.ExecAsync(["-it"], "curl", "-s", "http://httpbin.httpbin:8080/it")).AssertSuccess();

        Assert.Equal("GET http://httpbin.httpbin:8080/it host=httpbin.httpbin:8080", result.Stdout);
        Assert.Contains("Unable to use a TTY", result.Stderr);
    }

    [Fact]
    public async Task Fail_on_an_error_status_exits_22_through_kubectl()
    {
        var silent = await fixture.ExecAsync("curl", "-sf", "http://httpbin.httpbin:8080/status/404");
        Assert.Equal(22, silent.ExitCode);
        Assert.Equal("", silent.Stdout);
        Assert.Contains("command terminated with exit code 22", silent.Stderr);
        Assert.DoesNotContain("curl: (22)", silent.Stderr);

        var shown = await fixture.ExecAsync("curl", "-sSf", "http://httpbin.httpbin:8080/status/503");
        Assert.Equal(22, shown.ExitCode);
        Assert.Contains("curl: (22) The requested URL returned error: 503", shown.Stderr);

        // Without -f an error status is a successful transfer: the body is printed and curl exits 0.
        var plain = (await fixture.ExecAsync("curl", "-s", "http://httpbin.httpbin:8080/status/404")).AssertSuccess();
        Assert.Equal("status 404", plain.Stdout);
    }

    [Fact]
    public async Task Write_out_include_post_data_and_headers_behave_as_curl()
    {
        var code = (await fixture.ExecAsync("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "http://httpbin.httpbin:8080/status/418")).AssertSuccess();
        Assert.Equal("418\n", code.Stdout);

        var post = (await fixture.ExecAsync("curl", "-s", "-XPUT", "-H", "X-Trace: 42", "-d", "a=1", "-d", "b=2", "http://httpbin.httpbin:8080/things")).AssertSuccess();
        Assert.Equal("PUT http://httpbin.httpbin:8080/things host=httpbin.httpbin:8080 body=a=1&b=2", post.Stdout);
        var recorded = fixture.Server.Requests.Last(r => r.Target == "http://httpbin.httpbin:8080/things");
        Assert.Equal("42", recorded.Headers["X-Trace"]);
        Assert.Equal("application/x-www-form-urlencoded", recorded.Headers["Content-Type"]);

        var included = (await fixture.ExecAsync("curl", "-si", "http://httpbin.httpbin:8080/included")).AssertSuccess();
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", included.Stdout);
        Assert.Contains("X-Served-By: recording\r\n", included.Stdout);
        Assert.EndsWith("\r\n\r\nGET http://httpbin.httpbin:8080/included host=httpbin.httpbin:8080", included.Stdout);

        var followed = (await fixture.ExecAsync("curl", "-sL", "-w", " %{num_redirects}", "http://httpbin.httpbin:8080/redirect")).AssertSuccess();
        Assert.Equal("GET http://httpbin.httpbin:8080/landing host=httpbin.httpbin:8080 1", followed.Stdout);

        var verbose = (await fixture.ExecAsync("curl", "-sv", "http://httpbin.httpbin:8080/verbose")).AssertSuccess();
        Assert.Contains("> GET http://httpbin.httpbin:8080/verbose HTTP/1.1", verbose.Stderr);
        Assert.Contains("< HTTP/1.1 200 OK", verbose.Stderr);
    }

    [Fact]
    public async Task A_request_that_outlives_max_time_exits_28()
    {
        var result = await fixture.ExecAsync("curl", "-sS", "-m", "0.5", "http://httpbin.httpbin:8080/hang");

        Assert.Equal(28, result.ExitCode);
        Assert.Contains("curl: (28) Operation timed out after", result.Stderr);
    }

    [Theory]
    [InlineData("bash", "exec: \"bash\": executable file not found in $PATH")]
    [InlineData("sh", "exec: \"sh\": executable file not found in $PATH")]
    [InlineData("/bin/cat", "exec: \"/bin/cat\": stat /bin/cat: no such file or directory")]
    public async Task Programs_the_container_lacks_are_refused_as_a_runtime_would(string program, string message)
    {
        var result = await fixture.ExecAsync(program, "-c", "cat /etc/passwd");

        Assert.Equal(127, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains(message, result.Stderr);
        Assert.Contains("command terminated with exit code 127", result.Stderr);
    }

    [Theory]
    [InlineData(2, "curl: option -o: writing files is not supported in this sandbox", "-o", "/tmp/out", "http://httpbin.httpbin:8080")]
    [InlineData(2, "curl: option -O: writing files is not supported in this sandbox", "-sO", "http://httpbin.httpbin:8080/file")]
    [InlineData(2, "curl: option -T: reading files is not supported in this sandbox", "-T", "/etc/passwd", "http://httpbin.httpbin:8080")]
    [InlineData(2, "curl: option -K: reading files is not supported in this sandbox", "-K", "/etc/curlrc", "http://httpbin.httpbin:8080")]
    [InlineData(2, "curl: option -d: reading files is not supported in this sandbox", "-d", "@/etc/passwd", "http://httpbin.httpbin:8080")]
    [InlineData(2, "curl: option --trace: writing files is not supported in this sandbox", "--trace", "/tmp/t", "http://httpbin.httpbin:8080")]
    [InlineData(2, "curl: option --bogus: is unknown", "--bogus", "http://httpbin.httpbin:8080")]
    [InlineData(1, "curl: (1) Protocol \"file\" not supported", "file:///etc/passwd")]
    [InlineData(1, "curl: (1) Protocol \"gopher\" not supported", "-sS", "gopher://httpbin.httpbin:8080")]
    public async Task Flags_and_urls_that_reach_for_files_are_refused(int exitCode, string message, params string[] arguments)
    {
        var before = fixture.Server.Requests.Count;

        var result = await fixture.ExecAsync(["curl", .. arguments]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Contains($"command terminated with exit code {exitCode}", result.Stderr);
        Assert.Equal(before, fixture.Server.Requests.Count);
    }

    [Fact]
    public async Task Unknown_pods_and_containers_are_api_errors()
    {
        var pod = (await fixture.Kubectl.RunAsync("exec", "no-such-pod", "-n", "curl", "--", "curl", "-s", "http://httpbin.httpbin:8080")).AssertFailure();
        Assert.Contains("pods \"no-such-pod\" not found", pod.Stderr);

        var container = (await fixture.Kubectl.RunAsync("exec", fixture.CurlPod, "-n", "curl", "-c", "nope", "--", "curl", "http://httpbin.httpbin:8080")).AssertFailure();
        Assert.Contains($"container nope is not valid for pod {fixture.CurlPod}", container.Stderr);
    }

    [Fact]
    public async Task A_container_that_is_not_running_cannot_be_exec_d()
    {
        fixture.Cluster.Seed("pods", "curl", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "crashing", ["namespace"] = "curl" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "curl", ["image"] = "curlimages/curl" }) },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "curl",
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff" } },
                }),
            },
        });

        var result = (await fixture.Kubectl.RunAsync("exec", "crashing", "-n", "curl", "--", "curl", "http://httpbin.httpbin:8080")).AssertFailure();

        Assert.Contains("Error from server (BadRequest): unable to upgrade connection: container not found (\"curl\")", result.Stderr);
    }

    [Fact]
    public async Task Plain_and_spdy_exec_requests_get_a_400_status()
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Server };
        var url = $"/api/v1/namespaces/curl/pods/{fixture.CurlPod}/exec?command=curl&container=curl&stdout=true";

        using var plain = await http.PostAsync(url, null);
        Assert.Equal(400, (int)plain.StatusCode);
        Assert.Contains("Upgrade request required", await plain.Content.ReadAsStringAsync());

        using var spdyRequest = new HttpRequestMessage(HttpMethod.Post, url);
        spdyRequest.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        spdyRequest.Headers.TryAddWithoutValidation("Upgrade", "SPDY/3.1");
        using var spdy = await http.SendAsync(spdyRequest);
        Assert.Equal(400, (int)spdy.StatusCode);
        Assert.Contains("not SPDY", await spdy.Content.ReadAsStringAsync());

        using var missing = await http.PostAsync($"/api/v1/namespaces/curl/pods/{fixture.CurlPod}/exec?container=curl&stdout=true", null);
        Assert.Equal(400, (int)missing.StatusCode);
        Assert.Contains("you must specify at least 1 command", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task KubernetesClient_exec_gets_the_output_and_the_exit_code()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(fixture.Cluster.Kubeconfig()));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
        string? output = null;

        var ok = await client.NamespacedPodExecAsync(fixture.CurlPod, "curl", "curl", ["curl", "-s", "http://httpbin.httpbin:8080/client"], false,
            async (_, stdout, _) => output = await new StreamReader(stdout).ReadToEndAsync(), CancellationToken.None);
        var failed = await client.NamespacedPodExecAsync(fixture.CurlPod, "curl", "curl", ["curl", "-sf", "http://httpbin.httpbin:8080/status/500"], false,
            (_, _, _) => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(0, ok);
        Assert.Equal("GET http://httpbin.httpbin:8080/client host=httpbin.httpbin:8080", output);
        Assert.Equal(22, failed);
    }}
