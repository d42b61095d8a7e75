"""The policy knowledge base: documents, clause chunks, the service catalog and regions."""
