from . import data_deletion
