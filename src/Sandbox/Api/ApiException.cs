using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Api;

/// <summary>An error the API answers as a <c>metav1.Status</c>, the way a real API server does.</summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public static ApiException NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found", Describe(group, resource, name));

    public static ApiException AlreadyExists(string group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists", Describe(group, resource, name));

    public static ApiException Conflict(string group, string resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {why}", Describe(group, resource, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Invalid(string kind, string group, string name, IEnumerable<(string Field, string Message)> causes)
    {
        var list = causes.ToList();
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = group,
            ["kind"] = kind,
            ["causes"] = new JsonArray(list.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = CauseReason(c.Message),
                ["message"] = c.Message,
                ["field"] = c.Field,
            }).ToArray()),
        };
        var text = string.Join(", ", list.Select(c => $"{c.Field}: {c.Message}"));
        return new(422, "Invalid", $"{kind} \"{name}\" is invalid: {text}", details);
    }

    // field.ErrorType of the cause, from the wording its message starts with.
    private static string CauseReason(string message) => message switch
    {
        _ when message.StartsWith("Required value", StringComparison.Ordinal) => "FieldValueRequired",
        _ when message.StartsWith("Duplicate value", StringComparison.Ordinal) => "FieldValueDuplicate",
        _ when message.StartsWith("Unsupported value", StringComparison.Ordinal) => "FieldValueNotSupported",
        _ when message.StartsWith("Forbidden", StringComparison.Ordinal) => "FieldValueForbidden",
        _ when message.StartsWith("Too long", StringComparison.Ordinal) => "FieldValueTooLong",
        _ when message.StartsWith("Too many", StringComparison.Ordinal) => "FieldValueTooMany",
        _ => "FieldValueInvalid",
    };

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got {contentType})");

    public JsonObject ToStatus() => BuildStatus(Code, Reason, Message, Details);

    public static JsonObject BuildStatus(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            // Go's omitempty: a Status without details (a 401, say) has no "details" key, not a null one.
            status["details"] = details.DeepClone();
        }

        status["code"] = code;
        return status;
    }

    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    private static JsonObject Describe(string group, string resource, string name) => new()
    {
        ["name"] = name,
        ["group"] = group,
        ["kind"] = resource,
    };
}
