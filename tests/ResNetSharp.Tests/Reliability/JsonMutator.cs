using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResNetSharp.Tests.Reliability;

/// <summary>
/// Seeded mutations of a JSON document that keep it JSON, so they reach the checks behind the parser:
/// numbers set to boundary values (0, -1, 2^31-1, 1e11, 2e9...), strings emptied or lengthened, lists
/// emptied, shortened, repeated or given a huge number, fields removed, added, or set to null, true, {}
/// or []. A string that holds JSON itself (as safetensors metadata does) is mutated inside. The same seed
/// always gives the same document.
/// </summary>
internal static class JsonMutator
{
    private static readonly double[] Numbers = [0, -1, 1, -5, int.MaxValue, int.MinValue, 1e11, 2e9, 100_000, 2_000_000, 1e300, 0.5, -0.0];

    /// <summary>The mutated document, or null when <paramref name="original"/> is not JSON.</summary>
    public static byte[]? Mutate(byte[] original, int seed)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(original);
        }
        catch (JsonException)
        {
            return null;
        }
        var random = new Random(seed);
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations; m++)
            root = MutateSomewhere(root, random, depth: 0);
        return Encoding.UTF8.GetBytes(root?.ToJsonString() ?? "null");
    }

    private static JsonNode? MutateSomewhere(JsonNode? root, Random random, int depth)
    {
        var nodes = new List<JsonNode?> { root };
        Collect(root, nodes);
        var chosen = nodes[random.Next(nodes.Count)];
        var replacement = MutateNode(chosen, random, depth);
        if (chosen is null || chosen.Parent is null)
            return chosen == root ? replacement : root;
        switch (chosen.Parent)
        {
            case JsonObject parent:
                parent[chosen.GetPropertyName()] = replacement;
                break;
            case JsonArray parent:
                parent[chosen.GetElementIndex()] = replacement;
                break;
        }
        return root;
    }

    private static void Collect(JsonNode? node, List<JsonNode?> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    into.Add(child);
                    Collect(child, into);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    into.Add(child);
                    Collect(child, into);
                }
                break;
        }
    }

    private static JsonNode? MutateNode(JsonNode? node, Random random, int depth)
    {
        if (random.Next(6) == 0)
            return random.Next(4) switch { 0 => null, 1 => JsonValue.Create(true), 2 => new JsonObject(), _ => new JsonArray() };
        switch (node)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                return JsonValue.Create(Numbers[random.Next(Numbers.Length)]);
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                string text = value.GetValue<string>();
                if (depth < 2 && text.Length > 1 && text[0] is '{' or '[' && random.Next(3) > 0)
                {
                    var inner = Mutate(Encoding.UTF8.GetBytes(text), random.Next());
                    if (inner is not null)
                        return JsonValue.Create(Encoding.UTF8.GetString(inner));
                }
                return JsonValue.Create(random.Next(3) switch { 0 => "", 1 => text + text, _ => "x" });
            case JsonArray array:
                var copy = (JsonArray)array.DeepClone();
                switch (random.Next(4))
                {
                    case 0:
                        return new JsonArray();
                    case 1 when copy.Count > 0:
                        copy.RemoveAt(random.Next(copy.Count));
                        return copy;
                    case 2 when copy.Count > 0:
                        copy.Add(copy[random.Next(copy.Count)]?.DeepClone());
                        return copy;
                    default:
                        copy.Add(JsonValue.Create(Numbers[random.Next(Numbers.Length)]));
                        return copy;
                }
            case JsonObject obj:
                var clone = (JsonObject)obj.DeepClone();
                if (clone.Count > 0 && random.Next(2) == 0)
                {
                    var key = clone.ElementAt(random.Next(clone.Count)).Key;
                    if (random.Next(2) == 0)
                        clone.Remove(key);
                    else
                        clone[key] = null;
                }
                else
                    clone["unexpected" + random.Next(10)] = JsonValue.Create(Numbers[random.Next(Numbers.Length)]);
                return clone;
            default:
                return JsonValue.Create(Numbers[random.Next(Numbers.Length)]);
        }
    }
}
