using System.Collections.Concurrent;
using ErieCanal.Orleans.DataPlane.Tests.Infrastructure;
using ErieCanal.Orleans.Sandbox.Faults;

namespace ErieCanal.Orleans.DataPlane.Tests;

/// <summary>
/// ActiveActive over c2 and c3, consumed from c1's client-side proxy, while c3 fails in each of the ways a member
/// can: no idempotent request fails, the failing member is ejected (and the proxy's /metrics says so), and it is
/// back in rotation once it recovered and its cool-off passed.
/// </summary>
public sealed class FailoverTests : FailoverContext
{
    private const string Requests = "eriecanal_dataplane_requests_total";
    private const string Failures = "eriecanal_dataplane_failures_total";
    private const string Retries = "eriecanal_dataplane_retries_total";
    private const string Ejections = "eriecanal_dataplane_ejections_total";
    private const string Ejected = "eriecanal_dataplane_ejected_endpoints";

    private static readonly (string, string) C2 = ("cluster", ClusterKeyOf("c2"));
    private static readonly (string, string) C3 = ("cluster", ClusterKeyOf("c3"));
    private static readonly (string, string) Web = ("service", "web.fo:80");

    [Fact]
    public async Task No_transparent_request_fails_while_a_member_refuses_connections()
    {
        // Origin-form requests routed by Host (as a derived Service carries them) fail over as explicit ones do.
        var before = await PrometheusText.ScrapeAsync(Proxy);
        var answers = await TrafficAsync(() => Sandbox["c3"].Gateway.StopAsync(), () => TransparentGetAsync());

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers.TakeLast(20), a => Assert.Equal("c2", MemberOf(a.Body)));
        var after = await PrometheusText.ScrapeAsync(Proxy);
        Assert.Equal(1, after.Sum(Ejections, C3, Web, ("component", "proxy"), ("member", Consumer)));
        Assert.True(after.Sum(Retries, C3, Web) - before.Sum(Retries, C3, Web) >= 1);
    }

    [Fact]
    public async Task No_request_fails_while_a_member_refuses_connections_and_its_metrics_tell_the_story()
    {
        var before = await PrometheusText.ScrapeAsync(Proxy);
        var answers = await TrafficAsync(() => Sandbox["c3"].Gateway.StopAsync());

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers.TakeLast(20), a => Assert.Equal("c2", MemberOf(a.Body)));

        var after = await PrometheusText.ScrapeAsync(Proxy);
        Assert.Equal(1, after.Sum(Ejections, C3, Web, ("component", "proxy"), ("member", Consumer)));
        Assert.Equal(1, after.Sum(Ejected, C3, Web));
        Assert.Equal(0, after.Sum(Ejected, C2, Web));
        // At least the failures that ejected it (attempts in flight then fail too: refused, or cut by the stop).
        Assert.True(after.Sum(Failures, C3, Web) - before.Sum(Failures, C3, Web) >= Ejection.ConsecutiveFailures);
        Assert.True(after.Sum(Failures, C3, Web, ("reason", "refused")) >= 1);
        Assert.Equal(after.Sum(Failures, C3, Web) - before.Sum(Failures, C3, Web), after.Sum(Retries, C3, Web) - before.Sum(Retries, C3, Web));
        Assert.Equal(0, after.Sum(Failures, C2, Web));

        // Every request was an attempt on c2 or a failed attempt on c3 and its retry on c2.
        var attempts = after.Sum(Requests, Web) - before.Sum(Requests, Web);
        Assert.Equal(answers.Count + after.Sum(Retries, C3, Web) - before.Sum(Retries, C3, Web), attempts);

        // Each component shows its own numbers only: c2's gateway served c1's traffic, c2's own proxy carried none.
        var gateway = await PrometheusText.ScrapeAsync(Gateways["c2"]);
        Assert.True(gateway.Sum(Requests, C2, Web, ("component", "gateway"), ("member", "c2")) >= answers.Count / 2);
        Assert.Empty(gateway.Samples(Requests, ("component", "proxy")));
        Assert.Empty(gateway.Samples(Requests, ("member", "c3")));
        var bystander = await PrometheusText.ScrapeAsync(BystanderProxy);
        Assert.Empty(bystander.Samples(Requests));
        Assert.Empty(bystander.Samples(Ejections));

        // Recovered, and the cool-off over: c3 takes traffic again.
        await Sandbox["c3"].Gateway.StartAsync();
        Clock.Advance(Ejection.BaseEjectionTime);
        await Eventually.Until(async () => MemberOf((await GetAsync()).Body) == "c3", "c3 back in rotation");
        Assert.Equal(0, (await PrometheusText.ScrapeAsync(Proxy)).Sum(Ejected, C3, Web));
    }

    [Fact]
    public async Task No_request_fails_while_a_members_pods_answer_5xx()
    {
        var before = await PrometheusText.ScrapeAsync(Proxy);
        var answers = await TrafficAsync(() =>
        {
            Sandbox["c3"].Faults.Workloads.Set(Namespace, "web-c3", WorkloadFault.Error(500));
            return Task.CompletedTask;
        });

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers.TakeLast(20), a => Assert.Equal("c2", MemberOf(a.Body)));
        var metrics = await PrometheusText.ScrapeAsync(Proxy);
        Assert.Equal(1, metrics.Sum(Ejections, C3, Web));
        Assert.True(metrics.Sum(Failures, C3, Web, ("reason", "5xx")) >= Ejection.ConsecutiveFailures);
        Assert.Equal(metrics.Sum(Failures, C3, Web) - before.Sum(Failures, C3, Web), metrics.Sum(Retries, C3, Web) - before.Sum(Retries, C3, Web));
        Assert.Equal(0, metrics.Sum(Failures, C2, Web));

        // c3's gateway saw its pods fail.
        Assert.True((await PrometheusText.ScrapeAsync(Gateways["c3"])).Sum(Failures, C3, Web, ("reason", "5xx")) >= Ejection.ConsecutiveFailures);

        Sandbox["c3"].Faults.Workloads.Set(Namespace, "web-c3", WorkloadFault.None);
        Clock.Advance(Ejection.BaseEjectionTime);
        await Eventually.Until(async () => MemberOf((await GetAsync()).Body) == "c3", "c3 back in rotation");
    }

    [Fact]
    public async Task No_transparent_request_fails_while_a_member_is_blackholed()
    {
        // Origin-form requests routed by Host: one that meets the blackholed c3 is retried on c2 after the per-try
        // timeout, until c3 is ejected; none fails.
        await Sandbox["c3"].Gateway.BlackholeAsync();
        var answers = new List<(int Status, string Body)>();
        await Eventually.Until(
            async () =>
            {
                answers.Add(await TransparentGetAsync());
                return await PrometheusText.ScrapeAsync(Proxy);
            },
            m => m.Sum(Ejections, C3, Web) == 1,
            "c3 ejected");
        Assert.All(answers, a => Assert.Equal((200, "c2"), (a.Status, MemberOf(a.Body))));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((200, "c2"), await TransparentGetAsync() is var (status, body) ? (status, MemberOf(body)) : default);
        }

        await Sandbox["c3"].Gateway.StartAsync();
        Clock.Advance(Ejection.BaseEjectionTime);
        await Eventually.Until(async () => MemberOf((await TransparentGetAsync()).Body) == "c3", "c3 back in rotation");
    }

    [Fact]
    public async Task A_blackholed_member_costs_a_per_try_timeout_until_it_is_ejected_then_nothing()
    {
        await Sandbox["c3"].Gateway.BlackholeAsync();

        // Sequential GETs: those that meet c3 are retried on c2 after the per-try timeout, until c3 is ejected.
        var answers = new List<(int Status, string Body)>();
        var metrics = await Eventually.Until(
            async () =>
            {
                answers.Add(await GetAsync());
                return await PrometheusText.ScrapeAsync(Proxy);
            },
            m => m.Sum(Ejections, C3, Web) == 1,
            "c3 ejected");
        Assert.All(answers, a => Assert.Equal((200, "c2"), (a.Status, MemberOf(a.Body))));
        Assert.Equal(Ejection.ConsecutiveFailures, metrics.Sum(Failures, C3, Web, ("reason", "timeout")));

        // Ejected: later requests do not go to c3 at all, so none waits for the timeout.
        var attemptsOnC3 = metrics.Sum(Requests, C3, Web);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((200, "c2"), await GetAsync() is var (status, body) ? (status, MemberOf(body)) : default);
        }

        metrics = await PrometheusText.ScrapeAsync(Proxy);
        Assert.Equal(attemptsOnC3, metrics.Sum(Requests, C3, Web));
        Assert.Equal(1, metrics.Sum(Ejected, C3, Web));

        // Still blackholed when the cool-off ends: one more timeout (probation) ejects it again, for twice as long.
        Clock.Advance(Ejection.BaseEjectionTime);
        await Eventually.Until(
            async () =>
            {
                Assert.Equal(200, (await GetAsync()).Status);
                return (await PrometheusText.ScrapeAsync(Proxy)).Sum(Ejections, C3, Web) == 2;
            },
            "c3 ejected again on probation");
        Assert.Equal(Ejection.ConsecutiveFailures + 1, (await PrometheusText.ScrapeAsync(Proxy)).Sum(Failures, C3, Web, ("reason", "timeout")));

        await Sandbox["c3"].Gateway.StartAsync();
        Clock.Advance(Ejection.BaseEjectionTime * 2);
        await Eventually.Until(async () => MemberOf((await GetAsync()).Body) == "c3", "c3 back in rotation");
    }

    /// <summary>
    /// Four clients sending GETs back to back: before the fault, while <paramref name="fault"/> is applied, and for
    /// 100 more requests after it; every answer, in order of completion.
    /// </summary>
    private async Task<List<(int Status, string Body)>> TrafficAsync(Func<Task> fault, Func<Task<(int Status, string Body)>>? get = null)
    {
        get ??= () => GetAsync();
        var answers = new ConcurrentQueue<(int Status, string Body)>();
        var faulted = new TaskCompletionSource();
        var afterFault = 0;
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!faulted.Task.IsCompleted || Volatile.Read(ref afterFault) < 100)
            {
                var answer = await get();
                answers.Enqueue(answer);
                if (faulted.Task.IsCompleted)
                {
                    Interlocked.Increment(ref afterFault);
                }
            }
        })).ToList();

        await Eventually.Until(() => answers.Count >= 20, "traffic before the fault");
        await fault();
        faulted.SetResult();
        await Task.WhenAll(clients);
        return [.. answers];
    }
}
