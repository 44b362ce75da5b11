"""The approach the Hub replaces: pandas reads the export and writes it with DataFrame.to_sql.
Prints the seconds taken (read + write) on stdout."""
import sys
import time

import pandas as pd
from sqlalchemy import create_engine

path, url = sys.argv[1], sys.argv[2].replace("postgres://", "postgresql+psycopg2://", 1)
engine = create_engine(url)
start = time.perf_counter()
frame = pd.read_csv(path, dtype=str)
frame.to_sql("pandas_txn", engine, if_exists="replace", index=False, chunksize=10_000, method="multi")
print(f"{time.perf_counter() - start:.3f}")
