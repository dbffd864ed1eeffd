using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Grains.Hosting;

/// <summary>
/// One store only, and an Azure Storage connection string that parses. Messages never quote the connection string:
/// it carries the account key.
/// </summary>
public sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Redis) && !string.IsNullOrWhiteSpace(options.AzureStorage))
        {
            return ValidateOptionsResult.Fail(
                $"{StoreOptions.Section}:{nameof(StoreOptions.Redis)} and {StoreOptions.Section}:{nameof(StoreOptions.AzureStorage)} are both set; " +
                "grain state and cluster membership live in one store, so set only one of them");
        }

        if (!string.IsNullOrWhiteSpace(options.AzureStorage))
        {
            try
            {
                // Parses the string the way the providers will (account, key, endpoints) without touching the network.
                _ = new TableServiceClient(options.AzureStorage);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                return ValidateOptionsResult.Fail(
                    $"{StoreOptions.Section}:{nameof(StoreOptions.AzureStorage)} is not a usable Azure Storage connection string " +
                    $"(expected e.g. DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;TableEndpoint=...): {ex.GetType().Name}");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
