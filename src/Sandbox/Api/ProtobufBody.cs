using System.Text;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>
/// Decodes the Kubernetes protobuf wire format (the "k8s\0" magic, a runtime.Unknown envelope, then the object)
/// for the kinds kubectl's generators send that way: <c>kubectl create namespace|configmap|secret|serviceaccount|deployment|role|
/// clusterrole|rolebinding|clusterrolebinding|poddisruptionbudget|token</c> and <c>kubectl auth can-i|whoami</c>
/// post protobuf, not JSON. Only the fields those commands set are mapped; other kinds answer 415.
/// </summary>
public static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    // Field number -> (JSON name, type): "string", "int", "bool", "strings" (repeated), "map" (string values),
    // "bytesmap" (base64 values), the name of a nested message below, or "[]" and a name for a repeated message.
    private static readonly Dictionary<string, Dictionary<int, (string Name, string Type)>> Messages = new(StringComparer.Ordinal)
    {
        ["ObjectMeta"] = new() { [1] = ("name", "string"), [2] = ("generateName", "string"), [3] = ("namespace", "string"), [11] = ("labels", "map"), [12] = ("annotations", "map"), [14] = ("finalizers", "strings") },
        ["Namespace"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "NamespaceSpec") },
        ["NamespaceSpec"] = new() { [1] = ("finalizers", "strings") },
        ["ConfigMap"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("data", "map"), [3] = ("binaryData", "bytesmap"), [4] = ("immutable", "bool") },
        ["Secret"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("data", "bytesmap"), [3] = ("type", "string"), [4] = ("stringData", "map"), [5] = ("immutable", "bool") },
        ["ServiceAccount"] = new() { [1] = ("metadata", "ObjectMeta"), [4] = ("automountServiceAccountToken", "bool") },
        ["Deployment"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "DeploymentSpec") },
        ["DeploymentSpec"] = new() { [1] = ("replicas", "int"), [2] = ("selector", "LabelSelector"), [3] = ("template", "PodTemplateSpec"), [4] = ("strategy", "DeploymentStrategy") },
        ["DeploymentStrategy"] = new() { [1] = ("type", "string") },
        ["LabelSelector"] = new() { [1] = ("matchLabels", "map"), [2] = ("matchExpressions", "[]LabelSelectorRequirement") },
        ["LabelSelectorRequirement"] = new() { [1] = ("key", "string"), [2] = ("operator", "string"), [3] = ("values", "strings") },
        ["Role"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("rules", "[]PolicyRule") },
        ["ClusterRole"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("rules", "[]PolicyRule"), [3] = ("aggregationRule", "AggregationRule") },
        ["PolicyRule"] = new() { [1] = ("verbs", "strings"), [2] = ("apiGroups", "strings"), [3] = ("resources", "strings"), [4] = ("resourceNames", "strings"), [5] = ("nonResourceURLs", "strings") },
        ["AggregationRule"] = new() { [1] = ("clusterRoleSelectors", "[]LabelSelector") },
        ["RoleBinding"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("subjects", "[]Subject"), [3] = ("roleRef", "RoleRef") },
        ["ClusterRoleBinding"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("subjects", "[]Subject"), [3] = ("roleRef", "RoleRef") },
        ["Subject"] = new() { [1] = ("kind", "string"), [2] = ("apiGroup", "string"), [3] = ("name", "string"), [4] = ("namespace", "string") },
        ["RoleRef"] = new() { [1] = ("apiGroup", "string"), [2] = ("kind", "string"), [3] = ("name", "string") },
        ["TokenRequest"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "TokenRequestSpec") },
        ["TokenRequestSpec"] = new() { [1] = ("audiences", "strings"), [3] = ("boundObjectRef", "BoundObjectReference"), [4] = ("expirationSeconds", "int") },
        ["BoundObjectReference"] = new() { [1] = ("kind", "string"), [2] = ("apiVersion", "string"), [3] = ("name", "string"), [4] = ("uid", "string") },
        ["SelfSubjectAccessReview"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "SubjectAccessReviewSpec") },
        ["SubjectAccessReview"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "SubjectAccessReviewSpec") },
        ["LocalSubjectAccessReview"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "SubjectAccessReviewSpec") },
        ["SubjectAccessReviewSpec"] = new() { [1] = ("resourceAttributes", "ResourceAttributes"), [2] = ("nonResourceAttributes", "NonResourceAttributes"), [3] = ("user", "string"), [4] = ("groups", "strings"), [6] = ("uid", "string") },
        ["ResourceAttributes"] = new() { [1] = ("namespace", "string"), [2] = ("verb", "string"), [3] = ("group", "string"), [4] = ("version", "string"), [5] = ("resource", "string"), [6] = ("subresource", "string"), [7] = ("name", "string") },
        ["NonResourceAttributes"] = new() { [1] = ("path", "string"), [2] = ("verb", "string") },
        ["SelfSubjectRulesReview"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "SelfSubjectRulesReviewSpec") },
        ["SelfSubjectRulesReviewSpec"] = new() { [1] = ("namespace", "string") },
        ["SelfSubjectReview"] = new() { [1] = ("metadata", "ObjectMeta") },
        ["PodDisruptionBudget"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "PodDisruptionBudgetSpec") },
        ["PodDisruptionBudgetSpec"] = new() { [1] = ("minAvailable", "IntOrString"), [2] = ("selector", "LabelSelector"), [3] = ("maxUnavailable", "IntOrString") },
        ["IntOrString"] = new() { [1] = ("type", "int"), [2] = ("intVal", "int"), [3] = ("strVal", "string") },
        ["PodTemplateSpec"] = new() { [1] = ("metadata", "ObjectMeta"), [2] = ("spec", "PodSpec") },
        ["PodSpec"] = new() { [2] = ("containers", "[]Container"), [3] = ("restartPolicy", "string") },
        ["Container"] = new() { [1] = ("name", "string"), [2] = ("image", "string"), [3] = ("command", "strings"), [4] = ("args", "strings"), [6] = ("ports", "[]ContainerPort"), [8] = ("resources", "ResourceRequirements") },
        ["ContainerPort"] = new() { [1] = ("name", "string"), [3] = ("containerPort", "int"), [4] = ("protocol", "string") },
        ["ResourceRequirements"] = [],
    };

    private static readonly HashSet<string> TopLevel = new(StringComparer.Ordinal) {
        "v1/Namespace", "v1/ConfigMap", "v1/Secret", "v1/ServiceAccount", "apps/v1/Deployment",
        "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/RoleBinding",
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding", "authentication.k8s.io/v1/TokenRequest", "authentication.k8s.io/v1/SelfSubjectReview",
        "authorization.k8s.io/v1/SelfSubjectAccessReview", "authorization.k8s.io/v1/SubjectAccessReview",
        "authorization.k8s.io/v1/LocalSubjectAccessReview", "authorization.k8s.io/v1/SelfSubjectRulesReview", "policy/v1/PodDisruptionBudget",
    };

    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw ApiException.BadRequest("the object provided is unrecognized: protobuf body without the k8s envelope");
        }

        string? apiVersion = null, kind = null;
        var raw = ReadOnlySpan<byte>.Empty;
        var envelope = new Reader(body[Magic.Length..]);
        while (envelope.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    var typeMeta = new Reader(envelope.Bytes());
                    while (typeMeta.Next(out var f, out var w))
                    {
                        if (f is 1 or 2 && w == 2)
                        {
                            var text = Encoding.UTF8.GetString(typeMeta.Bytes());
                            (apiVersion, kind) = f == 1 ? (text, kind) : (apiVersion, text);
                        }
                        else
                        {
                            typeMeta.Skip(w);
                        }
                    }

                    break;
                case 2:
                    raw = envelope.Bytes();
                    break;
                default:
                    envelope.Skip(wire);
                    break;
            }
        }

        if (kind is null || !TopLevel.Contains($"{apiVersion}/{kind}"))
        {
            throw new ApiException(415, "UnsupportedMediaType",
                $"the sandbox decodes protobuf only for {string.Join(", ", TopLevel)}, not {apiVersion}/{kind}; send JSON or YAML");
        }

        var obj = Message(raw, kind);
        obj.Insert(0, "apiVersion", apiVersion);
        obj.Insert(1, "kind", kind);
        return obj;
    }

    private static JsonObject Message(ReadOnlySpan<byte> data, string message)
    {
        var fields = Messages[message];
        var obj = new JsonObject();
        var reader = new Reader(data);
        while (reader.Next(out var number, out var wire))
        {
            if (!fields.TryGetValue(number, out var field))
            {
                reader.Skip(wire);
                continue;
            }

            switch (field.Type)
            {
                case "bool":
                    obj[field.Name] = reader.Varint() != 0;
                    break;
                case "int":
                    obj[field.Name] = (long)reader.Varint();
                    break;
                case "string":
                    // proto2 writes empty optional strings; JSON omits them.
                    var text = Encoding.UTF8.GetString(reader.Bytes());
                    if (text.Length > 0)
                    {
                        obj[field.Name] = text;
                    }

                    break;
                case "strings":
                    ((obj[field.Name] ??= new JsonArray()) as JsonArray)!.Add(Encoding.UTF8.GetString(reader.Bytes()));
                    break;
                case "map" or "bytesmap":
                    var (key, value) = Entry(reader.Bytes(), field.Type == "bytesmap");
                    ((obj[field.Name] ??= new JsonObject()) as JsonObject)![key] = value;
                    break;
                case ['[', ']', .. var item]:
                    ((obj[field.Name] ??= new JsonArray()) as JsonArray)!.Add(Message(reader.Bytes(), item));
                    break;
                default:
                    obj[field.Name] = Message(reader.Bytes(), field.Type);
                    break;
            }

            if (field.Type == "IntOrString" && obj[field.Name] is JsonObject intOrString)
            {
                // intstr.IntOrString is a message on the wire and a bare number or string in JSON.
                obj[field.Name] = JsonTree.GetInt64(intOrString, "type") == 1 ? intOrString["strVal"]?.DeepClone() ?? "" : JsonTree.GetInt64(intOrString, "intVal") ?? 0;
            }
        }

        return obj;
    }

    private static (string Key, string Value) Entry(ReadOnlySpan<byte> data, bool base64)
    {
        var key = "";
        var value = "";
        var reader = new Reader(data);
        while (reader.Next(out var field, out var wire))
        {
            if (field is 1 or 2 && wire == 2)
            {
                var bytes = reader.Bytes();
                if (field == 1)
                {
                    key = Encoding.UTF8.GetString(bytes);
                }
                else
                {
                    value = base64 ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes);
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (key, value);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public bool Next(out int field, out int wire)
        {
            if (_at >= _data.Length)
            {
                field = wire = 0;
                return false;
            }

            var tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Take(1)[0];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed();
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            return length > int.MaxValue ? throw Malformed() : Take((int)length);
        }

        public void Skip(int wire)
        {
            _ = wire switch
            {
                0 => Varint(),
                1 => (ulong)Take(8).Length,
                2 => (ulong)Bytes().Length,
                5 => (ulong)Take(4).Length,
                _ => throw Malformed(),
            };
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _at + count > _data.Length)
            {
                throw Malformed();
            }

            var slice = _data.Slice(_at, count);
            _at += count;
            return slice;
        }

        private static ApiException Malformed() => ApiException.BadRequest("the object provided is unrecognized: malformed protobuf");
    }
}
