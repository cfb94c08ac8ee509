"""Testing LINE bots against Kizuna: an in-process server and the pytest plugin's actors."""
