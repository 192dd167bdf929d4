"""The real CAN recordings in ../shared/can (a Tesla Model 3 drive, a J1939 MF4) and a small
DBC of our own for the mapping features the recordings do not exercise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vehicle_network.dbc import Dbc, load_dbc

SHARED_CAN = Path(__file__).resolve().parents[2].parent / "shared" / "can"
REPO = Path(__file__).resolve().parents[2]
EXAMPLE_MAPPING = REPO / "vehicle_network" / "mappings" / "tesla_model3.vspec"

# A test ECU: a plain message with a value table, a multiplexed one, and a J1939 message.
TEST_DBC = '''VERSION ""
NS_ :
BS_:
BU_: ECU
BO_ 256 Drive: 8 ECU
 SG_ Speed : 0|16@1+ (0.1,0) [0|300] "km/h" ECU
 SG_ Gear : 16|3@1+ (1,0) [0|7] "" ECU
 SG_ Soc : 24|8@1+ (0.5,0) [0|100] "%" ECU
 SG_ Ratio : 32|8@1- (1,0) [-128|127] "" ECU
BO_ 512 Tires: 8 ECU
 SG_ Mux M : 0|8@1+ (1,0) [0|255] "" ECU
 SG_ PressureFront m0 : 8|8@1+ (4,0) [0|1000] "kPa" ECU
 SG_ PressureRear m1 : 8|8@1+ (4,0) [0|1000] "kPa" ECU
 SG_ Axle : 16|8@1+ (1,0) [0|255] "" ECU
BO_ 768 Cabin: 2 ECU
 SG_ TargetTemp : 0|8@1+ (0.5,0) [0|100] "C" ECU
 SG_ Latch : 8|4@1+ (1,0) [0|15] "" ECU
VAL_ 256 Gear 0 "PARK" 1 "DRIVE" 2 "REVERSE" 3 "NEUTRAL" ;
VAL_ 768 Latch 1 "OPENED" 2 "CLOSED" ;
'''


@pytest.fixture(scope="session")
def shared_can() -> Path:
    """../shared/can: absent only in a user's clone; CI always has it."""
    if not SHARED_CAN.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {SHARED_CAN} (the shared/ folder beside the clone)")
        pytest.skip(f"{SHARED_CAN} is absent (a user's clone without ../shared)")
    return SHARED_CAN


@pytest.fixture(scope="session")
def tesla(shared_can: Path) -> Path:
    return shared_can / "tesla-model3"


@pytest.fixture(scope="session")
def tesla_dbc(tesla: Path) -> Dbc:
    return load_dbc(tesla / "Model3CAN.dbc")


@pytest.fixture
def test_dbc_path(tmp_path: Path) -> Path:
    path = tmp_path / "test.dbc"
    path.write_text(TEST_DBC, encoding="utf-8")
    return path


@pytest.fixture
def test_dbc(test_dbc_path: Path) -> Dbc:
    return load_dbc(test_dbc_path)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
