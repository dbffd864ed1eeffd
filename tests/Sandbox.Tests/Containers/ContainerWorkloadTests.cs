using System.Text.Json.Nodes;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>Workloads of given images beside simulated ones: Deployments get Ready endpoints that are real servers; other images stay simulated.</summary>
[Collection(ContainerCollection.Name)]
public sealed class ContainerWorkloadTests(ContainerSandboxFixture fixture)
{
    [Fact]
    public async Task A_deployment_of_a_given_image_gets_ready_endpoints_served_by_its_containers_and_a_deleted_pod_is_replaced()
    {
        await fixture.Kubectl.RunAsync("create", "namespace", "deploy");
        await fixture.ApplyAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo, namespace: deploy}
            spec:
              replicas: 2
              selector: {matchLabels: {app: echo}}
              template:
                metadata: {labels: {app: echo}}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: echo
                    image: {{{BusyboxImage.Reference}}}
                    command: ["sh", "-c", "mkdir -p /tmp/www && echo $(POD_NAME) > /tmp/www/name && exec httpd -f -p $(POD_IP):8080 -h /tmp/www"]
                    env:
                    - name: POD_IP
                      valueFrom: {fieldRef: {fieldPath: status.podIP}}
                    - name: POD_NAME
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    ports: [{containerPort: 8080}]
                    readinessProbe:
                      tcpSocket: {port: 8080}
                      periodSeconds: 1
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: echo, namespace: deploy}
            spec:
              selector: {app: echo}
              ports: [{port: 80, targetPort: 8080}]
            """);
        (await fixture.Kubectl.RunAsync(["rollout", "status", "deployment/echo", "-n", "deploy", "--timeout=90s"], null, TimeSpan.FromSeconds(100))).AssertSuccess();
        var endpoints = await fixture.Kubectl.WaitForAsync(r => r.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 2,
            "get", "endpoints", "echo", "-n", "deploy", "-o", "jsonpath={.subsets[*].addresses[*].ip}");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var names = new List<string>();
        foreach (var ip in endpoints.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            names.Add((await http.GetStringAsync(new Uri($"http://{ip}:8080/name"))).Trim());
        }

        var pods = JsonNode.Parse((await fixture.Kubectl.RunAsync("get", "pods", "-n", "deploy", "-l", "app=echo", "-o", "json")).AssertSuccess().Stdout)!["items"]!.AsArray();
        Assert.Equal(pods.Select(p => p!["metadata"]!["name"]!.GetValue<string>()).Order(), names.Order());

        // A deleted pod is replaced by the ReplicaSet; the deployment is whole again.
        (await fixture.Kubectl.RunAsync("delete", "pod", names[0], "-n", "deploy", "--wait=false")).AssertSuccess();
        await fixture.Kubectl.WaitForAsync(r =>
        {
            var list = r.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return list.Length == 2 && !list.Contains(names[0]);
        }, "get", "pods", "-n", "deploy", "-l", "app=echo", "-o", "jsonpath={.items[?(@.status.phase==\"Running\")].metadata.name}");
        await fixture.Kubectl.WaitForAsync(r => r.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 2,
            "get", "endpoints", "echo", "-n", "deploy", "-o", "jsonpath={.subsets[*].addresses[*].ip}");
    }

    [Fact]
    public async Task Two_pods_binding_the_wildcard_address_on_one_port_both_get_ready_and_each_pod_ip_reaches_its_own_pod()
    {
        // As in pods with network namespaces of their own: 0.0.0.0:8090 twice on one host, through the bind shim.
        await fixture.Kubectl.RunAsync("create", "namespace", "bind");
        await fixture.ApplyAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: twins, namespace: bind}
            spec:
              replicas: 2
              selector: {matchLabels: {app: twins}}
              template:
                metadata: {labels: {app: twins}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: listen
                    image: {{{BusyboxImage.Reference}}}
                    command: ["{{{GlibcListener.PathInImage}}}", "8090", "$(POD_NAME)"]
                    env:
                    - name: POD_NAME
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    readinessProbe:
                      tcpSocket: {port: 8090}
                      periodSeconds: 1
            """);
        (await fixture.Kubectl.RunAsync(["rollout", "status", "deployment/twins", "-n", "bind", "--timeout=60s"], null, TimeSpan.FromSeconds(70))).AssertSuccess();
        var pods = JsonNode.Parse((await fixture.Kubectl.RunAsync("get", "pods", "-n", "bind", "-l", "app=twins", "-o", "json")).AssertSuccess().Stdout)!["items"]!.AsArray();
        Assert.Equal(2, pods.Count);
        foreach (var pod in pods)
        {
            var name = pod!["metadata"]!["name"]!.GetValue<string>();
            Assert.Equal(0, pod["status"]!["containerStatuses"]![0]!["restartCount"]!.GetValue<int>());
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(pod["status"]!["podIP"]!.GetValue<string>(), 8090);
            using var reader = new StreamReader(client.GetStream());
            Assert.Equal(name, (await reader.ReadToEndAsync()).Trim());
        }

        // The shim is preloaded by the container's /etc/ld.so.preload, not by anything in the app's environment.
        var env = (await fixture.Kubectl.RunAsync("exec", "-n", "bind", pods[0]!["metadata"]!["name"]!.GetValue<string>(), "--", "env")).AssertSuccess().Stdout;
        Assert.DoesNotContain("LD_PRELOAD", env, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_container_resolves_service_names_with_the_cluster_dns_and_reaches_ready_pods_through_the_cluster_ip()
    {
        await fixture.Kubectl.RunAsync("create", "namespace", "net");
        await fixture.ApplyAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: net}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: example/web:1, ports: [{containerPort: 8080}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: net}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: net}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: client, image: {{{BusyboxImage.Reference}}}, command: ["sleep", "3600"]}
            """);
        await PodJson.WaitAsync(fixture.Kubectl, "net", "client", PodJson.IsReady, "Ready");
        var clusterIp = (await fixture.Kubectl.RunAsync("get", "service", "web", "-n", "net", "-o", "jsonpath={.spec.clusterIP}")).AssertSuccess().Stdout.Trim();
        var web = await fixture.Kubectl.WaitForAsync(r => r.Stdout.Trim().Length > 0,
            "get", "pods", "-n", "net", "-l", "app=web", "-o", "jsonpath={.items[?(@.status.phase==\"Running\")].metadata.name}");

        // busybox's nslookup asks the nameserver of the pod's resolv.conf: the cluster DNS, with the pod's search path.
        var lookup = (await fixture.Kubectl.RunAsync("exec", "-n", "net", "client", "--", "busybox", "nslookup", "web.net.svc.cluster.local")).AssertSuccess().Stdout;
        Assert.Contains(clusterIp, lookup, StringComparison.Ordinal);

        // The cluster IP relays to the (simulated) pod behind the Service, which answers its name.
        var answer = await fixture.Kubectl.WaitForAsync(r => r.Succeeded,
            "exec", "-n", "net", "client", "--", "busybox", "wget", "-qO-", $"http://{clusterIp}:80/");
        Assert.Equal(web.Stdout.Trim(), answer.Stdout.Trim());
    }

    [Fact]
    public async Task A_pod_of_an_image_not_given_stays_simulated_and_a_given_pod_with_one_unknown_image_cannot_pull_it()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: simulated, namespace: default}
            spec:
              containers:
              - name: curl
                image: curlimages/curl:8.5.0
                command: ["sleep", "infinity"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: mixed, namespace: default}
            spec:
              containers:
              - name: real
                image: {{{BusyboxImage.Reference}}}
                command: ["sleep", "3600"]
              - name: unknown
                image: example.org/not-given:1
            """);
        var simulated = await PodJson.WaitAsync(fixture.Kubectl, "default", "simulated", PodJson.IsReady, "Ready (simulated)");
        Assert.DoesNotContain("runc://", simulated.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(fixture.Cluster.Kubelet.Worker(simulated["metadata"]!["uid"]!.GetValue<string>()));
        var version = await fixture.Kubectl.RunAsync("exec", "simulated", "--", "curl", "--version");
        Assert.Equal(0, version.ExitCode);

        var mixed = await PodJson.WaitAsync(fixture.Kubectl, "default", "mixed",
            p => PodJson.Container(p, "unknown")?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "ErrImagePull"
                && PodJson.Container(p, "real")?["state"]?["running"] is not null, "one container running, one unable to pull");
        Assert.False(PodJson.IsReady(mixed));
        Assert.Equal("Running", mixed["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task Init_containers_run_in_order_before_the_app_and_a_startup_probe_holds_started_and_ready()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: staged, namespace: default}
            spec:
              initContainers:
              - name: first
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "echo first >> /work/order"]
                volumeMounts: [{name: work, mountPath: /work}]
              - name: second
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "echo second >> /work/order"]
                volumeMounts: [{name: work, mountPath: /work}]
              containers:
              - name: app
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "cat /work/order; exec sleep 3600"]
                volumeMounts: [{name: work, mountPath: /work}]
                startupProbe:
                  exec: {command: ["test", "-e", "/tmp/started"]}
                  periodSeconds: 1
                  failureThreshold: 60
              volumes:
              - name: work
                emptyDir: {}
            """);
        var running = await PodJson.WaitAsync(fixture.Kubectl, "default", "staged",
            p => PodJson.Container(p, "app")?["state"]?["running"] is not null, "app running");
        Assert.False(PodJson.Container(running, "app")!["started"]!.GetValue<bool>());
        Assert.False(PodJson.IsReady(running));
        var init = running["status"]!["initContainerStatuses"]!.AsArray();
        Assert.All(init, s => Assert.Equal("Completed", s!["state"]!["terminated"]!["reason"]!.GetValue<string>()));
        await fixture.Kubectl.WaitForAsync(r => r.Lines.SequenceEqual(["first", "second"]), "logs", "staged", "-c", "app");

        (await fixture.Kubectl.RunAsync("exec", "staged", "-c", "app", "--", "touch", "/tmp/started")).AssertSuccess();
        var ready = await PodJson.WaitAsync(fixture.Kubectl, "default", "staged", PodJson.IsReady, "Ready once started");
        Assert.True(PodJson.Container(ready, "app")!["started"]!.GetValue<bool>());
    }
}
