using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Containers;

/// <summary>Volumes, the service-account mount, the kubelet's /etc files and who the process runs as, seen from inside real containers.</summary>
[Collection(ContainerCollection.Name)]
public sealed class ContainerVolumeTests(ContainerSandboxFixture fixture)
{
    [Fact]
    public async Task Secret_configmap_projected_downward_and_emptydir_volumes_are_mounted_with_items_modes_and_subpaths()
    {
        await fixture.Kubectl.RunAsync("create", "namespace", "vol");
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: conf, namespace: vol}
            data: {app.yaml: "port: 80", other: unused}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: keys, namespace: vol}
            stringData: {tls.key: private, tls.crt: public}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: volumes
              namespace: vol
              labels: {tier: web}
            spec:
              hostname: box
              subdomain: stable
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "echo shared-by-main > /scratch/note; exec sleep 3600"]
                volumeMounts:
                - {name: conf, mountPath: /config}
                - {name: keys, mountPath: /keys, readOnly: true}
                - {name: all, mountPath: /projected}
                - {name: info, mountPath: /info}
                - {name: scratch, mountPath: /scratch}
                - {name: conf, mountPath: /etc/app.yaml, subPath: app.yaml}
              - name: sidecar
                image: {{{BusyboxImage.Reference}}}
                command: ["sleep", "3600"]
                volumeMounts:
                - {name: scratch, mountPath: /shared}
              volumes:
              - name: conf
                configMap:
                  name: conf
                  items: [{key: app.yaml, path: app.yaml}]
              - name: keys
                secret: {secretName: keys, defaultMode: 0400}
              - name: all
                projected:
                  sources:
                  - serviceAccountToken: {path: sa-token, expirationSeconds: 3600}
                  - configMap: {name: conf, items: [{key: other, path: cm/other}]}
                  - secret: {name: keys, items: [{key: tls.crt, path: crt}]}
                  - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
              - name: info
                downwardAPI:
                  items:
                  - {path: name, fieldRef: {fieldPath: metadata.name}}
                  - {path: tier, fieldRef: {fieldPath: "metadata.labels['tier']"}}
              - name: scratch
                emptyDir: {}
            """);
        await PodJson.WaitAsync(fixture.Kubectl, "vol", "volumes", PodJson.IsReady, "Ready");
        async Task<string> Exec(string container, params string[] command) =>
            (await fixture.Kubectl.RunAsync(["exec", "-n", "vol", "volumes", "-c", container, "--", .. command])).AssertSuccess().Stdout;

        Assert.Equal("port: 80", await Exec("main", "cat", "/config/app.yaml"));
        Assert.Equal("app.yaml\n", await Exec("main", "ls", "/config"));
        Assert.Equal("port: 80", await Exec("main", "cat", "/etc/app.yaml"));
        Assert.Equal("private", await Exec("main", "cat", "/keys/tls.key"));
        Assert.Equal("400\n", await Exec("main", "stat", "-L", "-c", "%a", "/keys/tls.key"));
        var readOnly = await fixture.Kubectl.RunAsync("exec", "-n", "vol", "volumes", "-c", "main", "--", "touch", "/keys/new");
        Assert.NotEqual(0, readOnly.ExitCode);
        // The kubelet's tokens are the pod's ServiceAccount's, bound to the pod, which the cluster itself authenticates.
        Assert.Equal("system:serviceaccount:vol:default", fixture.Cluster.Auth.Authenticate("Bearer " + await Exec("main", "cat", "/projected/sa-token")).Name);
        Assert.Equal("unused", await Exec("main", "cat", "/projected/cm/other"));
        Assert.Equal("public", await Exec("main", "cat", "/projected/crt"));
        Assert.Equal("tier=\"web\"", await Exec("main", "cat", "/projected/labels"));
        Assert.Equal("volumes", await Exec("main", "cat", "/info/name"));
        Assert.Equal("web", await Exec("main", "cat", "/info/tier"));
        await Eventually.Until(async () => (await Exec("sidecar", "cat", "/shared/note")) == "shared-by-main\n", "the sidecar sees the emptyDir file main wrote");

        // The kubelet's own files: the service account, hosts, hostname, resolv.conf.
        Assert.Equal("system:serviceaccount:vol:default", fixture.Cluster.Auth.Authenticate("Bearer " + await Exec("main", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token")).Name);
        Assert.Equal("vol", await Exec("main", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"));
        Assert.Equal(fixture.Cluster.CaCertificatePem, await Exec("main", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"));
        Assert.Equal("box\n", await Exec("main", "hostname"));
        var pod = (await PodJson.GetAsync(fixture.Kubectl, "vol", "volumes"))!;
        Assert.Contains($"{pod["status"]!["podIP"]}\tbox.stable.vol.svc.cluster.local\tbox", await Exec("main", "cat", "/etc/hosts"), StringComparison.Ordinal);
        var resolv = await Exec("main", "cat", "/etc/resolv.conf");
        Assert.Contains("search vol.svc.cluster.local svc.cluster.local cluster.local", resolv, StringComparison.Ordinal);
        Assert.Contains("options ndots:5", resolv, StringComparison.Ordinal);
        Assert.Equal($"search vol.svc.cluster.local svc.cluster.local cluster.local\nnameserver {fixture.Cluster.Dns!.Address}\noptions ndots:5\n", resolv);
    }

    [Fact]
    public async Task Security_context_sets_user_groups_and_a_read_only_root_and_automount_can_be_turned_off()
    {
        await fixture.ApplyAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: secure, namespace: default}
            spec:
              automountServiceAccountToken: false
              securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000}
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["sleep", "3600"]
                securityContext: {readOnlyRootFilesystem: true}
                volumeMounts:
                - {name: data, mountPath: /data}
              volumes:
              - name: data
                emptyDir: {}
            """);
        await PodJson.WaitAsync(fixture.Kubectl, "default", "secure", PodJson.IsReady, "Ready");
        var id = (await fixture.Kubectl.RunAsync("exec", "secure", "--", "id")).AssertSuccess().Stdout;
        Assert.Contains("uid=1000", id, StringComparison.Ordinal);
        Assert.Contains("gid=3000", id, StringComparison.Ordinal);
        Assert.Contains("2000", id, StringComparison.Ordinal);
        Assert.NotEqual(0, (await fixture.Kubectl.RunAsync("exec", "secure", "--", "touch", "/home/app/x")).ExitCode);
        (await fixture.Kubectl.RunAsync("exec", "secure", "--", "touch", "/data/x")).AssertSuccess();
        Assert.NotEqual(0, (await fixture.Kubectl.RunAsync("exec", "secure", "--", "ls", "/var/run/secrets/kubernetes.io/serviceaccount")).ExitCode);
    }

    [Fact]
    public async Task A_persistent_volume_claim_keeps_its_data_when_the_pod_is_replaced()
    {
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: keeper, namespace: default}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: {{{BusyboxImage.Reference}}}
                command: ["sh", "-c", "date >> /data/starts; exec sleep 3600"]
                volumeMounts:
                - {name: data, mountPath: /data}
              volumes:
              - name: data
                persistentVolumeClaim: {claimName: data-keeper-0}
            """;
        await fixture.ApplyAsync(manifest);
        await PodJson.WaitAsync(fixture.Kubectl, "default", "keeper", PodJson.IsReady, "Ready");
        await Eventually.Until(async () => (await fixture.Kubectl.RunAsync("exec", "keeper", "--", "cat", "/data/starts")).Lines.Count == 1, "first start recorded");
        (await fixture.Kubectl.RunAsync("delete", "pod", "keeper", "--wait=true")).AssertSuccess();
        await fixture.ApplyAsync(manifest);
        await PodJson.WaitAsync(fixture.Kubectl, "default", "keeper", PodJson.IsReady, "Ready again");
        await Eventually.Until(async () => (await fixture.Kubectl.RunAsync("exec", "keeper", "--", "cat", "/data/starts")).Lines.Count == 2, "both starts recorded in the claim's directory");
    }
}
