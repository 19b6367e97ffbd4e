using static TorchSharp.torch;

namespace ResNetSharp.Interop.Onnx;

/// <summary>An ONNX graph under construction: nodes in topological order, float32 initializers, one input and named outputs.</summary>
internal sealed class OnnxGraph
{
    // onnx.proto field numbers.
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeFloat = 2, AttributeInt = 3, AttributeInts = 8, AttributeType = 20;
    private const int AttributeTypeFloat = 1, AttributeTypeInt = 2, AttributeTypeInts = 7;
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const int DataTypeFloat = 1, DataTypeInt64 = 7;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;

    private readonly List<ProtoMessage> _nodes = [];
    private readonly List<ProtoMessage> _initializers = [];
    private readonly HashSet<string> _names = [];
    private int _counter;

    /// <summary>A fresh value name with a readable prefix.</summary>
    public string Fresh(string prefix) => $"{prefix}_{_counter++}";

    /// <summary>Adds a float32 constant (copied from <paramref name="value"/>, any device and dtype).</summary>
    public string Initializer(string name, Tensor value)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"initializer '{name}' added twice");
        using var cpu = value.detach().to(ScalarType.Float32).cpu().contiguous();
        var tensor = new ProtoMessage();
        foreach (long dimension in cpu.shape)
            tensor.Int(TensorDims, dimension);
        tensor.Int(TensorDataType, DataTypeFloat).String(TensorName, name).Bytes(TensorRawData, cpu.bytes);
        _initializers.Add(tensor);
        return name;
    }

    /// <summary>Adds a 1-d int64 constant, for the operators that take their settings as inputs (Slice, Pad).</summary>
    public string Initializer(string name, long[] values)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"initializer '{name}' added twice");
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        _initializers.Add(new ProtoMessage().Int(TensorDims, values.Length).Int(TensorDataType, DataTypeInt64)
            .String(TensorName, name).Bytes(TensorRawData, bytes));
        return name;
    }

    /// <summary>Adds a node and returns the name of its (single) output.</summary>
    public string Node(string opType, string[] inputs, string? output = null, params (string Name, object Value)[] attributes)
    {
        output ??= Fresh(opType.ToLowerInvariant());
        var node = new ProtoMessage();
        foreach (var input in inputs)
            node.String(NodeInput, input);
        node.String(NodeOutput, output).String(NodeName, output).String(NodeOpType, opType);
        foreach (var (name, value) in attributes)
            node.Message(NodeAttribute, Attribute(name, value));
        _nodes.Add(node);
        return output;
    }

    private static ProtoMessage Attribute(string name, object value)
    {
        var attribute = new ProtoMessage().String(AttributeName, name);
        switch (value)
        {
            case float f:
                attribute.Float(AttributeFloat, f).Int(AttributeType, AttributeTypeFloat);
                break;
            case long or int:
                attribute.Int(AttributeInt, Convert.ToInt64(value)).Int(AttributeType, AttributeTypeInt);
                break;
            case long[] ints:
                foreach (long i in ints)
                    attribute.Int(AttributeInts, i);
                attribute.Int(AttributeType, AttributeTypeInts);
                break;
            default:
                throw new ArgumentException($"attribute {name}: unsupported value type {value.GetType()}");
        }
        return attribute;
    }

    /// <summary>
    /// The GraphProto with float32 (batch, size) outputs, in order: <paramref name="input"/> is float32
    /// (batch, channels, height, width) with the batch, height and width dynamic (named axes, as
    /// torch.onnx.export's dynamic_axes): the network pools globally.
    /// </summary>
    public ProtoMessage ToProto(string name, string input, int channels, IReadOnlyList<(string Name, int Size)> outputs)
    {
        var graph = new ProtoMessage();
        foreach (var node in _nodes)
            graph.Message(GraphNode, node);
        graph.String(GraphName, name);
        foreach (var initializer in _initializers)
            graph.Message(GraphInitializer, initializer);
        graph.Message(GraphInput, ValueInfo(input, ["batch", channels, "height", "width"]));
        foreach (var (output, size) in outputs)
            graph.Message(GraphOutput, ValueInfo(output, ["batch", size]));
        return graph;
    }

    /// <summary>A value's type and shape; each dimension is a size (int) or a named dynamic axis (string).</summary>
    private static ProtoMessage ValueInfo(string name, object[] dims)
    {
        var shape = new ProtoMessage();
        foreach (var dim in dims)
            shape.Message(1, dim is int value ? new ProtoMessage().Int(1, value) : new ProtoMessage().String(2, (string)dim));
        var tensorType = new ProtoMessage().Int(1, DataTypeFloat).Message(2, shape);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensorType));
    }
}
