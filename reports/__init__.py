"""Programme reports: outcomes, the ladder, gender-sensitive indicators, the network, coach KPIs, employers' views."""
