using System.Text.Json.Nodes;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>Probes, restarts with back-off, logs and graceful deletion of real containers, as the kubelet drives them.</summary>
[Collection(ContainerCollection.Name)]
public sealed class ContainerLifecycleTests(ContainerSandboxFixture fixture)
{
    [Fact]
    public async Task A_readiness_probe_drives_Ready_and_the_endpoints_and_a_failing_liveness_probe_restarts_the_container()
    {
        await fixture.Kubectl.RunAsync("create", "namespace", "probes");
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: probes, labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                # Serves /tmp/www on the pod IP (containers share the host network: an app binds its pod IP).
                command: ["sh", "-c", "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p $(POD_IP):8080 -h /tmp/www"]
                env:
                - name: POD_IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP}}
                ports: [{containerPort: 8080, name: http}]
                readinessProbe:
                  httpGet: {path: /index.html, port: http}
                  periodSeconds: 1
                  failureThreshold: 1
                livenessProbe:
                  exec: {command: ["test", "!", "-e", "/tmp/die"]}
                  periodSeconds: 1
                  failureThreshold: 2
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: probes}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """);
        var pod = await PodJson.WaitAsync(fixture.Kubectl, "probes", "web", PodJson.IsReady, "Ready");
        var ip = pod["status"]!["podIP"]!.GetValue<string>();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri($"http://{ip}:8080/index.html")));
        await fixture.Kubectl.WaitForAsync(r => r.Stdout.Contains(ip, StringComparison.Ordinal), "get", "endpoints", "web", "-n", "probes", "-o", "jsonpath={.subsets[*].addresses[*].ip}");

        // Readiness: the page goes, the pod is not Ready and leaves the endpoints; it comes back.
        (await fixture.Kubectl.RunAsync("exec", "-n", "probes", "web", "--", "rm", "/tmp/www/index.html")).AssertSuccess();
        await PodJson.WaitAsync(fixture.Kubectl, "probes", "web", p => !PodJson.IsReady(p) && PodJson.Container(p, "main")!["ready"]!.GetValue<bool>() == false, "not Ready");
        await fixture.Kubectl.WaitForAsync(r => r.Succeeded && !r.Stdout.Contains(ip, StringComparison.Ordinal), "get", "endpoints", "web", "-n", "probes", "-o", "jsonpath={.subsets[*].addresses[*].ip}");
        (await fixture.Kubectl.RunAsync("exec", "-n", "probes", "web", "--", "sh", "-c", "echo ok > /tmp/www/index.html")).AssertSuccess();
        await PodJson.WaitAsync(fixture.Kubectl, "probes", "web", PodJson.IsReady, "Ready again");

        // Liveness: the container is killed and restarted (a fresh root filesystem, so /tmp/die is gone).
        (await fixture.Kubectl.RunAsync("exec", "-n", "probes", "web", "--", "touch", "/tmp/die")).AssertSuccess();
        pod = await PodJson.WaitAsync(fixture.Kubectl, "probes", "web", p => PodJson.Restarts(p, "main") >= 1 && PodJson.IsReady(p), "restarted and Ready");
        var last = PodJson.Container(pod, "main")!["lastState"]!["terminated"]!;
        Assert.Equal("Error", last["reason"]!.GetValue<string>());
        Assert.Contains(last["exitCode"]!.GetValue<int>(), new[] { 137, 143 });
        var events = (await fixture.Kubectl.RunAsync("get", "events", "-n", "probes", "-o", "jsonpath={.items[*].message}")).AssertSuccess().Stdout;
        Assert.Contains("Liveness probe failed", events, StringComparison.Ordinal);
        Assert.Contains("Container main failed liveness probe, will be restarted", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crashing_container_backs_off_in_CrashLoopBackOff_and_logs_show_current_and_previous_runs()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher, namespace: default}
            spec:
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "echo run-$(cat /proc/uptime | wc -c)-start; echo to-stderr >&2; exit 3"]
              - name: steady
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "for i in $(seq 1 5); do echo line-$i; done; exec sleep 3600"]
            """);
        var pod = await PodJson.WaitAsync(fixture.Kubectl, "default", "crasher",
            p => PodJson.Container(p, "main")?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "CrashLoopBackOff" && PodJson.Restarts(p, "main") >= 1,
            "CrashLoopBackOff after a restart");
        var main = PodJson.Container(pod, "main")!;
        Assert.Equal(3, main["lastState"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Contains("back-off", main["state"]!["waiting"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Running", pod["status"]!["phase"]!.GetValue<string>());
        Assert.False(PodJson.IsReady(pod));
        // kubectl shows the waiting reason as the pod's STATUS. The back-off is 1 s in this fixture, so the container may
        // be running again by the time kubectl asks (this once failed): wait for kubectl to see a back-off period.
        await fixture.Kubectl.WaitForAsync(r => r.Succeeded && r.Stdout.Contains("CrashLoopBackOff", StringComparison.Ordinal), "get", "pod", "crasher");

        // Logs: the API wants a container named (kubectl picks the first and says so); the current (last) run, the
        // previous one, stderr included.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = fixture.Cluster.Server };
        using var unnamed = await http.GetAsync(new Uri("/api/v1/namespaces/default/pods/crasher/log", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Contains("a container name must be specified for pod crasher, choose one of: [main steady]", await unnamed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Defaulted container \"main\"", (await fixture.Kubectl.RunAsync("logs", "crasher")).AssertSuccess().Stderr, StringComparison.Ordinal);
        // The back-off is short here: the current run may have just started, so wait for its output.
        var current = (await fixture.Kubectl.WaitForAsync(r => r.Lines.Contains("to-stderr"), "logs", "crasher", "-c", "main")).Lines;
        Assert.Single(current, l => l.StartsWith("run-", StringComparison.Ordinal));
        var previous = (await fixture.Kubectl.RunAsync("logs", "crasher", "-c", "main", "--previous")).AssertSuccess().Lines;
        Assert.Contains("to-stderr", previous);
        var noPrevious = await fixture.Kubectl.RunAsync("logs", "crasher", "-c", "steady", "--previous");
        Assert.NotEqual(0, noPrevious.ExitCode);
        Assert.Contains("previous terminated container \"steady\" in pod \"crasher\" not found", noPrevious.Stderr, StringComparison.Ordinal);
        Assert.Equal(["line-4", "line-5"], (await fixture.Kubectl.RunAsync("logs", "crasher", "-c", "steady", "--tail", "2")).AssertSuccess().Lines);
        var stamped = (await fixture.Kubectl.RunAsync("logs", "crasher", "-c", "steady", "--timestamps")).AssertSuccess().Lines;
        Assert.All(stamped, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line-\d$", l));
    }

    [Fact]
    public async Task Logs_follow_streams_new_lines_until_the_container_ends()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: talker, namespace: default}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.2; done; echo second; exit 0"]
            """);
        await PodJson.WaitAsync(fixture.Kubectl, "default", "talker", p => p["status"]?["phase"]?.GetValue<string>() == "Running", "Running");
        using var follow = fixture.Kubectl.Start("logs", "-f", "talker");
        await follow.WaitForLineAsync(l => l == "first");
        (await fixture.Kubectl.RunAsync("exec", "talker", "--", "touch", "/tmp/go")).AssertSuccess();
        await follow.WaitForLineAsync(l => l == "second");
        await PodJson.WaitAsync(fixture.Kubectl, "default", "talker", p => p["status"]?["phase"]?.GetValue<string>() == "Succeeded", "Succeeded");
    }

    [Fact]
    public async Task Deleting_a_pod_sends_SIGTERM_waits_the_grace_period_then_SIGKILL_and_only_then_the_object_goes()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: graceful, namespace: default}
            spec:
              terminationGracePeriodSeconds: 30
              containers:
              - name: polite
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "trap 'echo got-term; exit 0' TERM; echo up; while true; do sleep 0.2; done"]
              - name: stubborn
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "trap 'echo ignoring-term' TERM; echo up; while true; do sleep 0.2; done"]
            """);
        await PodJson.WaitAsync(fixture.Kubectl, "default", "graceful", PodJson.IsReady, "Ready");
        await fixture.Kubectl.WaitForAsync(r => r.Stdout.Contains("up", StringComparison.Ordinal), "logs", "graceful", "-c", "stubborn");
        await fixture.Kubectl.WaitForAsync(r => r.Stdout.Contains("up", StringComparison.Ordinal), "logs", "graceful", "-c", "polite");
        (await fixture.Kubectl.RunAsync("delete", "pod", "graceful", "--grace-period=10", "--wait=false")).AssertSuccess();

        var marked = (await PodJson.GetAsync(fixture.Kubectl, "default", "graceful"))!;
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.Equal(10, marked["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        var terminated = await PodJson.WaitAsync(fixture.Kubectl, "default", "graceful",
            p => PodJson.Container(p, "polite")?["state"]?["terminated"] is not null, "the polite container ended on SIGTERM");
        Assert.Equal(0, PodJson.Container(terminated, "polite")!["state"]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.NotNull(PodJson.Container(terminated, "stubborn")!["state"]!["running"]);

        // The stubborn one is killed once the grace period is over, then the object goes.
        await Eventually.Until(async () => await PodJson.GetAsync(fixture.Kubectl, "default", "graceful") is null, "the pod object is gone", TimeSpan.FromSeconds(60));
        var events = (await fixture.Kubectl.RunAsync("get", "events", "-o", "json")).AssertSuccess().Stdout;
        var messages = (JsonNode.Parse(events)!["items"] as JsonArray ?? []).Where(e => e?["involvedObject"]?["name"]?.GetValue<string>() == "graceful")
            .Select(e => e!["message"]!.GetValue<string>()).ToList();
        Assert.Contains("Stopping container stubborn", messages);
    }

    [Fact]
    public async Task Kubectl_exec_runs_the_real_program_with_its_exit_code()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: shell, namespace: default}
            spec:
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["sleep", "3600"]
            """);
        await PodJson.WaitAsync(fixture.Kubectl, "default", "shell", PodJson.IsReady, "Ready");
        var result = (await fixture.Kubectl.RunAsync("exec", "shell", "--", "sh", "-c", "echo out; echo err >&2; cat /proc/1/cmdline | tr '\\0' ' '")).AssertSuccess();
        Assert.Contains("out", result.Lines);
        Assert.Contains("err", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("sleep 3600", result.Stdout, StringComparison.Ordinal);
        var piped = (await fixture.Kubectl.RunWithInputAsync("line one\nline two\n", "exec", "-i", "shell", "--", "sh", "-c", "cat > /tmp/in; wc -l < /tmp/in")).AssertSuccess();
        Assert.Equal(["2"], piped.Lines);
        var failed = await fixture.Kubectl.RunAsync("exec", "shell", "--", "sh", "-c", "exit 7");
        Assert.Equal(7, failed.ExitCode);
        Assert.Contains("command terminated with exit code 7", failed.Stderr, StringComparison.Ordinal);
    }
}
