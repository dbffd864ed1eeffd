using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// A pod's volumes as host directories under the pod's state directory, and the mounts each container gets: secret,
/// configMap, downwardAPI and projected volumes are written once when the pod starts (items, defaultMode and mode
/// honoured; not refreshed afterwards, a difference from a real kubelet); emptyDir is a directory of the pod;
/// persistentVolumeClaim is a directory per namespace and claim under the cluster's persistent directory, so it
/// outlives the pod; hostPath binds the host's path. The service-account volume, /etc/hosts, /etc/hostname and
/// /etc/resolv.conf are the kubelet's own additions.
/// </summary>
public sealed class PodVolumes
{
    public const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private const int DefaultMode = 420; // 0644, the API's default

    private readonly Dictionary<string, string> _directories = new(StringComparer.Ordinal);
    private readonly List<OciMount> _podMounts = [];
    private readonly List<TokenFile> _tokens = [];

    private PodVolumes()
    {
    }

    /// <summary>Writes every volume of <paramref name="pod"/>; a missing secret or config map that is not optional throws.</summary>
    public static PodVolumes Prepare(JsonObject pod, string podDirectory, string persistentDirectory, ObjectStore store, IPodClusterServices services)
    {
        var volumes = new PodVolumes();
        var ns = pod["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        var fsGroup = pod["spec"]?["securityContext"]?["fsGroup"]?.GetValue<long>() is { } g ? (int)g : (int?)null;
        var root = Path.Combine(podDirectory, "volumes");
        foreach (var volume in (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = volume["name"]?.GetValue<string>() ?? "";
            var directory = Path.Combine(root, name);
            if (volume["persistentVolumeClaim"]?["claimName"]?.GetValue<string>() is { } claim)
            {
                directory = Path.Combine(persistentDirectory, ns, claim);
                Directory.CreateDirectory(directory);
                if (fsGroup is { } group)
                {
                    // What the kubelet does to a volume with fsGroup: the group owns it, setgid, group-writable.
                    UnixFiles.ChangeOwner(directory, 0, group);
                    UnixFiles.SetMode(directory, (UnixFileMode)Convert.ToInt32("2775", 8));
                }
            }
            else if (volume["hostPath"]?["path"]?.GetValue<string>() is { } hostPath)
            {
                directory = hostPath;
                if (volume["hostPath"]?["type"]?.GetValue<string>() == "DirectoryOrCreate")
                {
                    Directory.CreateDirectory(hostPath);
                }
            }
            else
            {
                Directory.CreateDirectory(directory);
                if (volume["emptyDir"] is not null)
                {
                    UnixFiles.SetMode(directory, (UnixFileMode)Convert.ToInt32("777", 8));
                }
                else
                {
                    volumes.WriteFiles(volume, pod, directory, ns, store, services, fsGroup);
                }
            }

            volumes._directories[name] = directory;
        }

        if (AutomountsToken(pod, store, ns))
        {
            var directory = Path.Combine(podDirectory, "kube-api-access");
            Directory.CreateDirectory(directory);
            var sa = pod["spec"]?["serviceAccountName"]?.GetValue<string>() ?? "default";
            volumes.WriteToken(new TokenFile(directory, "token", ns, sa, Name(pod), Uid(pod), TimeSpan.FromSeconds(3607), DefaultMode, fsGroup), services);
            Write(directory, "ca.crt", Encoding.UTF8.GetBytes(services.CaCertificatePem ?? ""), DefaultMode, fsGroup);
            Write(directory, "namespace", Encoding.UTF8.GetBytes(ns), DefaultMode, fsGroup);
            volumes._podMounts.Add(new OciMount(ServiceAccountPath, directory, ReadOnly: true));
        }

        var etc = Path.Combine(podDirectory, "etc");
        Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(etc, "hosts"), Hosts(pod, ns));
        File.WriteAllText(Path.Combine(etc, "hostname"), ContainerEnvironment.PodHostname(pod) + "\n");
        File.WriteAllText(Path.Combine(etc, "resolv.conf"), ResolvConf(pod, ns, services));
        volumes._podMounts.Add(new OciMount("/etc/hosts", Path.Combine(etc, "hosts"), ReadOnly: false));
        volumes._podMounts.Add(new OciMount("/etc/hostname", Path.Combine(etc, "hostname"), ReadOnly: false));
        volumes._podMounts.Add(new OciMount("/etc/resolv.conf", Path.Combine(etc, "resolv.conf"), ReadOnly: false));
        return volumes;
    }

    /// <summary>The mounts of one container: its volumeMounts (subPath, readOnly), then the kubelet's own files.</summary>
    public IReadOnlyList<OciMount> MountsFor(JsonObject container)
    {
        var mounts = new List<OciMount>();
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = mount["name"]?.GetValue<string>() ?? "";
            if (!_directories.TryGetValue(name, out var source))
            {
                throw new ContainerConfigException($"cannot find volume \"{name}\" to mount into container \"{container["name"]}\"");
            }

            if (mount["subPath"]?.GetValue<string>() is { Length: > 0 } subPath)
            {
                if (subPath.Split('/').Contains("..") || subPath.StartsWith('/'))
                {
                    throw new ContainerConfigException($"invalid subPath \"{subPath}\": must be a relative path without '..'");
                }

                source = Path.Combine(source, subPath);
                if (!File.Exists(source) && !Directory.Exists(source))
                {
                    Directory.CreateDirectory(source);
                }
            }

            mounts.Add(new OciMount(mount["mountPath"]?.GetValue<string>() ?? "/", source, mount["readOnly"]?.GetValue<bool>() ?? false));
        }

        mounts.AddRange(_podMounts.Where(p => mounts.All(m => m.Destination.TrimEnd('/') != p.Destination)));
        return mounts;
    }

    /// <summary>The shortest lifetime of the pod's service-account tokens (null: it has none).</summary>
    public TimeSpan? ShortestTokenLifetime => _tokens.Count == 0 ? null : _tokens.Min(t => t.Lifetime);

    /// <summary>Issues every token again, as the kubelet does before they expire (the file is replaced atomically).</summary>
    public void RefreshTokens(IPodClusterServices services)
    {
        foreach (var token in _tokens)
        {
            Write(token.Directory, token.Path, Encoding.UTF8.GetBytes(services.IssueServiceAccountToken(token.Namespace, token.ServiceAccount, token.PodName, token.PodUid, token.Lifetime)), token.Mode, token.FsGroup);
        }
    }

    private void WriteToken(TokenFile token, IPodClusterServices services)
    {
        _tokens.Add(token);
        Write(token.Directory, token.Path, Encoding.UTF8.GetBytes(services.IssueServiceAccountToken(token.Namespace, token.ServiceAccount, token.PodName, token.PodUid, token.Lifetime)), token.Mode, token.FsGroup);
    }

    private void WriteFiles(JsonObject volume, JsonObject pod, string directory, string ns, ObjectStore store, IPodClusterServices services, int? fsGroup)
    {
        if (volume["secret"] is JsonObject secret)
        {
            WriteKeys(directory, ContainerEnvironment.DataBytes(store, ns, "Secret", secret["secretName"]?.GetValue<string>() ?? "", secret["optional"]?.GetValue<bool>() ?? false),
                secret["items"] as JsonArray, Mode(secret, DefaultMode), fsGroup, "Secret");
        }
        else if (volume["configMap"] is JsonObject configMap)
        {
            WriteKeys(directory, ContainerEnvironment.DataBytes(store, ns, "ConfigMap", configMap["name"]?.GetValue<string>() ?? "", configMap["optional"]?.GetValue<bool>() ?? false),
                configMap["items"] as JsonArray, Mode(configMap, DefaultMode), fsGroup, "ConfigMap");
        }
        else if (volume["downwardAPI"] is JsonObject downward)
        {
            WriteDownward(directory, pod, downward["items"] as JsonArray, Mode(downward, DefaultMode), fsGroup);
        }
        else if (volume["projected"] is JsonObject projected)
        {
            var mode = Mode(projected, DefaultMode);
            foreach (var source in (projected["sources"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (source["secret"] is JsonObject s)
                {
                    WriteKeys(directory, ContainerEnvironment.DataBytes(store, ns, "Secret", s["name"]?.GetValue<string>() ?? "", s["optional"]?.GetValue<bool>() ?? false), s["items"] as JsonArray, mode, fsGroup, "Secret");
                }
                else if (source["configMap"] is JsonObject c)
                {
                    WriteKeys(directory, ContainerEnvironment.DataBytes(store, ns, "ConfigMap", c["name"]?.GetValue<string>() ?? "", c["optional"]?.GetValue<bool>() ?? false), c["items"] as JsonArray, mode, fsGroup, "ConfigMap");
                }
                else if (source["downwardAPI"] is JsonObject d)
                {
                    WriteDownward(directory, pod, d["items"] as JsonArray, mode, fsGroup);
                }
                else if (source["serviceAccountToken"] is JsonObject t)
                {
                    var lifetime = TimeSpan.FromSeconds(JsonTree.GetInt64(t, "expirationSeconds") ?? 3600);
                    var sa = pod["spec"]?["serviceAccountName"]?.GetValue<string>() ?? "default";
                    WriteToken(new TokenFile(directory, t["path"]?.GetValue<string>() ?? "token", ns, sa, Name(pod), Uid(pod), lifetime, mode, fsGroup), services);
                }
            }
        }
    }

    private static void WriteKeys(string directory, Dictionary<string, byte[]>? data, JsonArray? items, int mode, int? fsGroup, string kind)
    {
        if (data is null)
        {
            return;
        }

        if (items is null)
        {
            foreach (var (key, value) in data)
            {
                Write(directory, key, value, mode, fsGroup);
            }

            return;
        }

        foreach (var item in items.OfType<JsonObject>())
        {
            var key = item["key"]?.GetValue<string>() ?? "";
            if (!data.TryGetValue(key, out var value))
            {
                throw new ContainerConfigException($"configmap references non-existent config key: {key}".Replace("configmap", kind.ToLowerInvariant(), StringComparison.Ordinal));
            }

            Write(directory, item["path"]?.GetValue<string>() ?? key, value, Mode(item, mode), fsGroup);
        }
    }

    private static void WriteDownward(string directory, JsonObject pod, JsonArray? items, int mode, int? fsGroup)
    {
        foreach (var item in (items ?? []).OfType<JsonObject>())
        {
            string value;
            if (item["fieldRef"]?["fieldPath"]?.GetValue<string>() is { } fieldPath)
            {
                value = PodFieldPath.Resolve(pod, fieldPath);
            }
            else if (item["resourceFieldRef"] is JsonObject resource)
            {
                var container = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(c => c["name"]?.GetValue<string>() == resource["containerName"]?.GetValue<string>()) ?? [];
                value = ResourceFieldRef.Resolve(container, resource["resource"]?.GetValue<string>() ?? "", resource["divisor"]?.ToString());
            }
            else
            {
                continue;
            }

            Write(directory, item["path"]?.GetValue<string>() ?? "", Encoding.UTF8.GetBytes(value), Mode(item, mode), fsGroup);
        }
    }

    private static void Write(string directory, string relative, byte[] content, int mode, int? fsGroup)
    {
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Split('/').Contains(".."))
        {
            throw new ContainerConfigException($"invalid volume file path \"{relative}\"");
        }

        var path = Path.Combine(directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Written beside and renamed over: a container reading the file (a refreshed token) never sees half of it.
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $"..{Path.GetFileName(path)}.{Guid.NewGuid():N}");
        File.WriteAllBytes(temporary, content);
        UnixFiles.SetMode(temporary, (UnixFileMode)mode);
        if (fsGroup is { } group)
        {
            UnixFiles.ChangeOwner(temporary, 0, group);
            UnixFiles.SetMode(temporary, (UnixFileMode)mode);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static int Mode(JsonObject holder, int fallback) =>
        (int?)(JsonTree.GetInt64(holder, "defaultMode") ?? JsonTree.GetInt64(holder, "mode")) ?? fallback;

    private static bool AutomountsToken(JsonObject pod, ObjectStore store, string ns)
    {
        if (pod["spec"]?["automountServiceAccountToken"]?.GetValue<bool>() is { } podSetting)
        {
            return podSetting;
        }

        var sa = store.Get("serviceaccounts", ns, pod["spec"]?["serviceAccountName"]?.GetValue<string>() ?? "default");
        return sa?["automountServiceAccountToken"]?.GetValue<bool>() ?? true;
    }

    private static string Hosts(JsonObject pod, string ns)
    {
        var ip = pod["status"]?["podIP"]?.GetValue<string>() ?? "127.0.0.1";
        var hostname = ContainerEnvironment.PodHostname(pod);
        var text = new StringBuilder("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
        text.Append(pod["spec"]?["subdomain"]?.GetValue<string>() is { Length: > 0 } subdomain
            ? string.Create(CultureInfo.InvariantCulture, $"{ip}\t{hostname}.{subdomain}.{ns}.svc.cluster.local\t{hostname}\n")
            : $"{ip}\t{hostname}\n");
        foreach (var alias in (pod["spec"]?["hostAliases"] as JsonArray ?? []).OfType<JsonObject>())
        {
            text.Append(CultureInfo.InvariantCulture, $"\n# Entries added by HostAliases.\n{alias["ip"]}\t{string.Join('\t', (alias["hostnames"] as JsonArray ?? []).Select(h => h?.GetValue<string>()))}\n");
        }

        return text.ToString();
    }

    private static string ResolvConf(JsonObject pod, string ns, IPodClusterServices services)
    {
        // Without a cluster DNS server the pods ask loopback (where nothing may answer), never the host's nameservers:
        // the sandbox's traffic stays on 127.0.0.0/8.
        var nameserver = $"nameserver {services.DnsNameserver ?? "127.0.0.1"}";
        return pod["spec"]?["dnsPolicy"]?.GetValue<string>() == "Default"
            ? nameserver + "\n"
            : $"search {ns}.svc.cluster.local svc.cluster.local cluster.local\n{nameserver}\noptions ndots:5\n";
    }

    private sealed record TokenFile(string Directory, string Path, string Namespace, string ServiceAccount, string PodName, string PodUid, TimeSpan Lifetime, int Mode, int? FsGroup);

    private static string Name(JsonObject pod) => pod["metadata"]?["name"]?.GetValue<string>() ?? "";

    private static string Uid(JsonObject pod) => pod["metadata"]?["uid"]?.GetValue<string>() ?? "";
}
