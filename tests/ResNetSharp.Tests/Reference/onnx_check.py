"""Runs the official ONNX checker (Debian's python3-onnx) on a file.

/usr/bin/python3 onnx_check.py MODEL.onnx   -> "ok opset N"
"""
import sys

import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
print("ok opset", model.opset_import[0].version)
