"""ONNX files that ResNetSharp.Inference must refuse with a clear error, built with Debian's python3-onnx.

/usr/bin/python3 onnx_variants.py GOOD.onnx OUT_DIR
  OUT_DIR/rank2.onnx          one float input of shape (N, 10): not an image classifier
  OUT_DIR/two_inputs.onnx     two inputs
  OUT_DIR/bad_metadata.onnx   GOOD with class_names that is not JSON
  OUT_DIR/wrong_names.onnx    GOOD with one class name too many
  OUT_DIR/fixed_size.onnx     GOOD with its height and width fixed at 24 (as exports before dynamic axes were)
  OUT_DIR/missing_head.onnx   GOOD whose "heads" metadata describes a head "age" the graph has no output for
  OUT_DIR/bad_heads.onnx      GOOD with "heads" metadata that is not a list of heads
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

good, out = sys.argv[1], sys.argv[2]


def save(model, name):
    onnx.save(model, os.path.join(out, name))


def identity(inputs):
    nodes = [helper.make_node("Identity", [inputs[0].name], ["logits"])]
    output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])
    graph = helper.make_graph(nodes, "g", inputs, [output])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


save(identity([helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 10])]), "rank2.onnx")
save(identity([helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 10]),
               helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])]), "two_inputs.onnx")


def with_metadata(key, value, name):
    model = onnx.load(good)
    for entry in model.metadata_props:
        if entry.key == key:
            entry.value = value
            break
    else:
        model.metadata_props.add(key=key, value=value)
    save(model, name)


with_metadata("class_names", "[oops", "bad_metadata.onnx")
with_metadata("class_names", '["a", "b", "c", "d"]', "wrong_names.onnx")
with_metadata("heads", '[{"name": "age", "kind": "regression", "outputs": 1}]', "missing_head.onnx")
with_metadata("heads", '{"age": "regression"}', "bad_heads.onnx")
fixed = onnx.load(good)
for dim in fixed.graph.input[0].type.tensor_type.shape.dim[2:]:
    dim.ClearField("dim_param")
    dim.dim_value = 24
save(fixed, "fixed_size.onnx")
print("ok")
