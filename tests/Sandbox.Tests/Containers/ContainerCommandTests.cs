using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>Command, args and environment of real containers, as Kubernetes composes them from the pod and the image.</summary>
[Collection(ContainerCollection.Name)]
public sealed class ContainerCommandTests(ContainerSandboxFixture fixture)
{
    [Fact]
    public async Task Image_entrypoint_and_cmd_run_when_the_pod_says_nothing_and_the_image_is_unpacked_with_its_whiteouts()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: plain, namespace: default}
            spec:
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
            """);
        var pod = await PodJson.WaitAsync(fixture.Kubectl, "default", "plain", PodJson.IsReady, "Ready");
        Assert.Equal("Running", pod["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("BestEffort", pod["status"]!["qosClass"]!.GetValue<string>());
        var status = PodJson.Container(pod, "main")!;
        Assert.True(status["ready"]!.GetValue<bool>());
        Assert.True(status["started"]!.GetValue<bool>());
        Assert.NotNull(status["state"]!["running"]!["startedAt"]);
        Assert.StartsWith("sandbox.test/busybox@sha256:", status["imageID"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("runc://", status["containerID"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("127.", pod["status"]!["podIP"]!.GetValue<string>(), StringComparison.Ordinal);

        await fixture.Kubectl.WaitForAsync(r => r.Stdout.Contains("image-cmd", StringComparison.Ordinal), "logs", "plain");
        var listing = (await fixture.Kubectl.RunAsync("exec", "plain", "--", "ls", "/etc", "/opaque")).AssertSuccess().Stdout;
        Assert.DoesNotContain("removed-by-whiteout", listing, StringComparison.Ordinal);
        Assert.DoesNotContain("from-lower-layer", listing, StringComparison.Ordinal);
        Assert.Contains("from-upper-layer", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_args_and_env_follow_kubernetes_rules_with_variable_expansion_and_the_downward_api()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: default}
            data: {color: blue, size: large}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: default}
            stringData: {password: s3cret}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: envy
              namespace: default
              labels: {app: envy}
              annotations: {note: hello}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["/bin/sh", "-c"]
                args: ["echo 'GREETING=$(GREETING)'; env | sort; echo 'ESCAPED=$$(GREETING)'"]
                resources:
                  limits: {memory: 64Mi, cpu: 500m}
                envFrom:
                - configMapRef: {name: settings}
                  prefix: CM_
                env:
                - {name: NAME, value: world}
                - {name: GREETING, value: "hello $(NAME) $(UNDEFINED)"}
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - name: POD_NAMESPACE
                  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
                - name: POD_UID
                  valueFrom: {fieldRef: {fieldPath: metadata.uid}}
                - name: POD_IP
                  valueFrom: {fieldRef: {fieldPath: status.podIP}}
                - name: POD_IPS
                  valueFrom: {fieldRef: {fieldPath: status.podIPs}}
                - name: HOST_IP
                  valueFrom: {fieldRef: {fieldPath: status.hostIP}}
                - name: NODE
                  valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
                - name: SA
                  valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
                - name: APP_LABEL
                  valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}
                - name: NOTE
                  valueFrom: {fieldRef: {fieldPath: "metadata.annotations['note']"}}
                - name: MEMORY_MI
                  valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
                - name: CPU_MILLI
                  valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
                - name: PASSWORD
                  valueFrom: {secretKeyRef: {name: creds, key: password}}
                - name: COLOR
                  valueFrom: {configMapKeyRef: {name: settings, key: color}}
                - name: ABSENT
                  valueFrom: {configMapKeyRef: {name: missing, key: x, optional: true}}
            """);
        var pod = await PodJson.WaitAsync(fixture.Kubectl, "default", "envy", p => p["status"]?["phase"]?.GetValue<string>() == "Succeeded", "Succeeded");
        var terminated = PodJson.Container(pod, "main")!["state"]!["terminated"]!;
        Assert.Equal(0, terminated["exitCode"]!.GetValue<int>());
        Assert.Equal("Completed", terminated["reason"]!.GetValue<string>());
        Assert.Equal("Guaranteed", pod["status"]!["qosClass"]!.GetValue<string>());

        var log = (await fixture.Kubectl.RunAsync("logs", "envy")).AssertSuccess().Lines;
        var ip = pod["status"]!["podIP"]!.GetValue<string>();
        Assert.Contains("GREETING=hello world $(UNDEFINED)", log);
        Assert.Contains("ESCAPED=$(GREETING)", log);
        foreach (var expected in new[]
        {
            "NAME=world", "POD_NAME=envy", "POD_NAMESPACE=default", $"POD_UID={pod["metadata"]!["uid"]}", $"POD_IP={ip}", $"POD_IPS={ip}",
            "HOST_IP=127.0.0.1", "NODE=runtime-node", "SA=default", "APP_LABEL=envy", "NOTE=hello", "MEMORY_MI=64", "CPU_MILLI=500",
            "PASSWORD=s3cret", "COLOR=blue", "CM_color=blue", "CM_size=large", "FROM_IMAGE=image-env", "PATH=/bin", "HOSTNAME=envy",
            "KUBERNETES_SERVICE_HOST=127.0.0.1", $"KUBERNETES_SERVICE_PORT={fixture.Cluster.SecurePort}",
            $"KUBERNETES_PORT=tcp://127.0.0.1:{fixture.Cluster.SecurePort}",
        })
        {
            Assert.Contains(expected, log);
        }

        Assert.DoesNotContain(log, l => l.StartsWith("ABSENT=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_secret_keeps_the_container_waiting_with_CreateContainerConfigError()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: no-secret, namespace: default}
            spec:
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                env:
                - name: X
                  valueFrom: {secretKeyRef: {name: nowhere, key: k}}
            """);
        var pod = await PodJson.WaitAsync(fixture.Kubectl, "default", "no-secret",
            p => PodJson.Container(p, "main")?["state"]?["waiting"]?["reason"]?.GetValue<string>() == "CreateContainerConfigError", "CreateContainerConfigError");
        Assert.Equal("secret \"nowhere\" not found", PodJson.Container(pod, "main")!["state"]!["waiting"]!["message"]!.GetValue<string>());
        Assert.Equal("Pending", pod["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_command_that_does_not_exist_ends_in_StartError_and_a_pod_that_never_restarts_fails()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: missing-binary, namespace: default}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["/no/such/binary"]
            """);
        var pod = await PodJson.WaitAsync(fixture.Kubectl, "default", "missing-binary", p => p["status"]?["phase"]?.GetValue<string>() == "Failed", "Failed");
        var terminated = PodJson.Container(pod, "main")!["state"]!["terminated"]!;
        Assert.Equal("StartError", terminated["reason"]!.GetValue<string>());
        Assert.Equal(128, terminated["exitCode"]!.GetValue<int>());
    }
}
